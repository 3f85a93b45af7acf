/* replay.c -- re-evaluating a recorded tape at new input values (in progress). */
#include "internal.h"

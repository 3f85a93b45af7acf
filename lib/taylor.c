/* taylor.c -- forward Taylor-mode propagation over the tape (in progress). */
#include "internal.h"

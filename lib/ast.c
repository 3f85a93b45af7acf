/* ast.c -- what the parser and the resolver share about the syntax tree
 *
 * The interned-name table (every identifier once, found in O(1) by an
 * open-addressing hash), the one child-visitor over statements (every pass
 * over statements recurses through it instead of knowing the kinds), and
 * the names of the built-in functions (for suggestions, completion and the
 * manual's check).  Below the parser (parse.c) and the resolver
 * (resolve.c), so that neither calls the other back.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- interned names ---------------------------------------------------- */

/* FNV-1a over the bytes, then a final mix so that the low bits, which
   pick the slot, depend on every byte.  Cost O(len). */
static uint64_t
name_hash(const char *s, size_t len)
{
  uint64_t h = 0xcbf29ce484222325u;
  for (size_t i = 0; i < len; i++) {
    h ^= (unsigned char)s[i];
    h *= 0x100000001b3u;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdu;
  h ^= h >> 33;
  return h;
}

/* Is the interned text t the name s[0..len)?  (strncmp stops at t's end,
   so a shorter t is never read past.) */
static int
same_name(const char *t, const char *s, size_t len)
{
  return strncmp(t, s, len) == 0 && t[len] == '\0';
}

/* A slot holds the id + 1 in its low 32 bits (0: empty) and the high
   half of the name's hash above, so that a probe compares texts only
   when the hashes agree. */
#define SLOT_ID(x) ((uint32_t)(x))

/* The table slot holding s (hash h), or the empty slot where it would go. */
static size_t
name_slot(const GtNames *names, const char *s, size_t len, uint64_t h)
{
  size_t mask = names->nslots - 1;
  size_t i = (size_t)h & mask;
  uint64_t tag = h & 0xffffffff00000000u;
  for (;; i = (i + 1) & mask) {
    uint64_t x = names->slots[i];
    if (x == 0)
      return i;
    if ((x & 0xffffffff00000000u) == tag
        && same_name(names->text[SLOT_ID(x) - 1], s, len))
      return i;
  }
}

uint32_t
gt_names_find(const GtNames *names, const char *s, size_t len)
{
  if (names->nslots == 0)
    return UINT32_MAX;
  uint64_t x = names->slots[name_slot(names, s, len, name_hash(s, len))];
  return x ? SLOT_ID(x) - 1 : UINT32_MAX;
}

/* Doubles the table (amortised O(1) per name). */
static int
rehash(GtNames *names)
{
  size_t ns = names->nslots ? names->nslots * 2 : 256;
  uint64_t *t = calloc(ns, sizeof *t);
  if (t == NULL)
    return -1;
  for (size_t i = 0; i < names->nslots; i++) {
    /* the names are distinct: each goes to the first empty slot */
    uint64_t x = names->slots[i];
    if (x == 0)
      continue;
    const char *nm = names->text[SLOT_ID(x) - 1];
    size_t j = (size_t)name_hash(nm, strlen(nm)) & (ns - 1);
    while (t[j] != 0)
      j = (j + 1) & (ns - 1);
    t[j] = x;
  }
  free(names->slots);
  names->slots = t;
  names->nslots = ns;
  return 0;
}

uint32_t
gt_names_intern(GtNames *names, const char *s, size_t len)
{
  uint32_t id = gt_names_find(names, s, len);
  if (id != UINT32_MAX)
    return id;
  if (names->n >= UINT32_MAX - 1)
    return UINT32_MAX;
  if ((names->n + 1) * 2 > names->nslots && rehash(names) != 0)
    return UINT32_MAX;
  if (names->n == names->cap) {
    size_t cap = names->cap ? names->cap * 2 : 64;
    char **t = realloc(names->text, cap * sizeof *t);
    if (t == NULL)
      return UINT32_MAX;
    names->text = t;
    names->cap = cap;
  }
  char *copy = gt_arena_strndup(&names->arena, s, len);
  if (copy == NULL)
    return UINT32_MAX;
  uint64_t h = name_hash(s, len);
  names->text[names->n] = copy;
  names->slots[name_slot(names, s, len, h)] =
      (h & 0xffffffff00000000u) | ((uint64_t)names->n + 1);
  return (uint32_t)names->n++;
}

void
gt_names_free(GtNames *names)
{
  free(names->text);
  free(names->slots);
  gt_arena_free(&names->arena);
  memset(names, 0, sizeof *names);
}

/* ---- the statement child-visitor ---------------------------------------- */

/* The one walk over a statement's children (internal.h says the order);
   every pass over statements (resolution, the loop marks, counting
   outputs) recurses through it instead of knowing the statement kinds. */
int
gt_stmt_children(const GtStmt *s, const GtStmtVisitor *v)
{
  int rc;
  if (v->expr != NULL) {
    if (s->expr != NULL && (rc = v->expr(v->ctx, s->expr)) != 0)
      return rc;
    /* OUTPUT's names and ASSERT's message are not evaluated */
    if (s->kind != GT_ST_OUTPUT && s->kind != GT_ST_ASSERT)
      for (size_t k = 0; k < s->nargs; k++)
        if ((rc = v->expr(v->ctx, s->args[k])) != 0)
          return rc;
  }
  if (v->stmt == NULL)
    return 0;
  if ((rc = gt_block_each(&s->body, v)) != 0)
    return rc;
  for (size_t k = 0; s->kind == GT_ST_IF && k < s->nargs; k++)
    if ((rc = gt_block_each(&s->elifs[k], v)) != 0)
      return rc;
  return s->has_else ? gt_block_each(&s->orelse, v) : 0;
}

int
gt_block_each(const GtBlock *b, const GtStmtVisitor *v)
{
  for (size_t i = 0; i < b->n; i++) {
    int rc = v->stmt(v->ctx, b->stmts[i]);
    if (rc != 0)
      return rc;
  }
  return 0;
}

/* ---- the special built-ins ----------------------------------------------- */

static const char *const special_builtins[] = {
  "grad", "jacobian", "hessian", "stop_gradient", "pow", "min", "max",
};

const char *
gt_special_builtin_name(size_t i)
{
  return i < sizeof special_builtins / sizeof *special_builtins
             ? special_builtins[i] : NULL;
}


/* ---- the names of the built-in functions ------------------------------- */

const char *
gt_builtin_name(size_t i)
{
  for (int op = 0; op < GT_OP_COUNT; op++)
    if (gt_ops[op].callable && i-- == 0)
      return gt_ops[op].name;
  for (size_t k = 0; gt_op_alias_name(k) != NULL; k++)
    if (i-- == 0)
      return gt_op_alias_name(k);
  for (size_t k = 0; gt_tfunc_name(k) != NULL; k++)
    if (i-- == 0)
      return gt_tfunc_name(k);
  for (size_t k = 0; k < sizeof special_builtins / sizeof *special_builtins;
       k++) {
    /* pow, min and max are callable ops already */
    if (gt_op_lookup(special_builtins[k], strlen(special_builtins[k]))
        != GT_OP_COUNT)
      continue;
    if (i-- == 0)
      return special_builtins[k];
  }
  return NULL;
}

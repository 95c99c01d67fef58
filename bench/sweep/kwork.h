/*
 * kwork.h - a kernel instance as a backend job: the one place that knows both kernel.h and
 * backend.h (backends never see kernels).  Used by the sweep, `parbench costs` and tests.
 */
#ifndef PB_KWORK_H
#define PB_KWORK_H

#include "backend.h"
#include "kernel.h"

/* Fills *w to run all of ki's items, combining into *result; the GIL model follows the
 * kernel's py_model.  ki and result must outlive every run of w. */
void kwork_init(struct work *w, struct kernel_instance *ki, struct partial *result);

/* The memory ki's runs write (an image kernel's output): 1 with *r filled, or 0. */
size_t kwork_output(const struct kernel_instance *ki, struct work_region *r);

#endif

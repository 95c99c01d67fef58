/*
 * place.c - a kernel's buffers placed for a configuration's workers, and looked up (see
 * place.h).  It neither prints nor fails a configuration: a move or lookup that fails is
 * recorded (place_pages.error) and the run goes on with the pages where they are.
 */
#include "place.h"

#include "image.h"

#include <errno.h>
#include <stdlib.h>

enum place_how place_decide(const struct backend *b, const struct backend_config *cfg,
			    struct pin_mem_plan *mp)
{
	int shares = (b->caps & BACKEND_CAP_STATIC_SHARE) &&
		     (!(b->caps & BACKEND_CAP_SCHEDULE) ||
		      ((cfg->schedule == SCHED_DEFAULT || cfg->schedule == SCHED_STATIC) &&
		       cfg->chunk == 0));

	if (!cfg->topo || !cfg->plan)
		return PLACE_NONE;
	pin_mem_plan_make(cfg->topo, cfg->plan, shares, mp);
	if (b->caps & BACKEND_CAP_PYTHON)
		return PLACE_NONE; /* the interpreter works on copies of its own */
	if (b->caps & BACKEND_CAP_NEEDS_LAUNCHER)
		return PLACE_AS_MADE; /* each rank on its own copy, made where it runs */
	return mp->interleave ? PLACE_INTERLEAVE : PLACE_SHARES;
}

void place_share_bytes(size_t n, size_t stride, unsigned workers, size_t *first)
{
	for (unsigned i = 0; i < workers; i++) {
		size_t b, e;

		work_share(n, i, workers, &b, &e);
		first[i] = b * stride;
	}
	first[workers] = n * stride;
}

void place_buffers(const struct kernel_instance *ki, const struct backend *b,
		   const struct backend_config *cfg, struct place_pages *pg)
{
	struct pin_mem_plan *mp;
	size_t *first, len = pb_image_bytes(ki->shape.width, ki->shape.height);
	enum place_how how;
	int rc;

	if (!ki->shape.in || !ki->shape.out || !cfg->plan || cfg->plan->n == 0 || !len)
		return;
	mp = malloc(sizeof(*mp));
	first = calloc((size_t)cfg->plan->n + 1, sizeof(*first));
	if (!mp || !first) {
		pg->error = -ENOMEM;
		goto out_free;
	}
	how = place_decide(b, cfg, mp);
	if (how == PLACE_NONE)
		goto out_free;
	pg->how = how;
	pg->nodes = mp->nodes;
	pg->worker_nodes = mp->spans;
	if (mp->nodes < 2 || how == PLACE_AS_MADE)
		goto out_free; /* one node holds everything already; ranks keep their own */
	place_share_bytes(ki->shape.n, len / ki->shape.n, cfg->plan->n, first);
	rc = pin_mem_place(cfg->topo, mp, ki->shape.in, len, first);
	if (!rc)
		rc = pin_mem_place(cfg->topo, mp, ki->shape.out, len, first);
	if (rc)
		pg->error = rc;
out_free:
	free(first);
	free(mp);
}

void place_sample(const struct kernel_instance *ki, const struct backend_config *cfg,
		  struct place_pages *pg)
{
	size_t len = pb_image_bytes(ki->shape.width, ki->shape.height);
	int rc;

	if (pg->how == PLACE_NONE || !cfg->topo || pg->sampled)
		return;
	pg->sampled = 1;
	rc = pin_mem_where(cfg->topo, ki->shape.in, len, &pg->in);
	if (!rc)
		rc = pin_mem_where(cfg->topo, ki->shape.out, len, &pg->out);
	if (rc && !pg->error)
		pg->error = rc;
}

int place_one_node(const struct place_pages *pg)
{
	unsigned present = 0, most = 0;
	int node = -1;

	if (pg->how == PLACE_NONE || !pg->sampled || pg->worker_nodes < 2)
		return -1;
	for (unsigned m = 0; m < pg->nodes && m < PIN_MAX_NODES; m++) {
		present += pg->in.on[m];
		if (pg->in.on[m] > most) {
			most = pg->in.on[m];
			node = (int)m;
		}
	}
	return present && most * 10 >= present * 9 ? node : -1;
}

static void shares_json(FILE *f, const struct pin_pages *p, unsigned nodes)
{
	fprintf(f, "[");
	for (unsigned m = 0; m < nodes && m < PIN_MAX_NODES; m++)
		fprintf(f, "%s%.3f", m ? ", " : "", p->sampled ? (double)p->on[m] / p->sampled : 0.0);
	fprintf(f, "]");
}

void place_write_json(FILE *f, const struct place_pages *pg)
{
	static const char *const how[] = { [PLACE_SHARES] = "by share",
					   [PLACE_INTERLEAVE] = "interleave",
					   [PLACE_AS_MADE] = "as made" };

	if (pg->how == PLACE_NONE) {
		fprintf(f, "null");
		return;
	}
	fprintf(f, "{\"placed\": \"%s\", \"nodes\": %u, \"worker_nodes\": %u, ", how[pg->how],
		pg->nodes, pg->worker_nodes);
	if (pg->sampled) {
		fprintf(f, "\"input\": ");
		shares_json(f, &pg->in, pg->nodes);
		fprintf(f, ", \"output\": ");
		shares_json(f, &pg->out, pg->nodes);
		fprintf(f, ", \"sampled\": [%u, %u], \"absent\": [%u, %u], ", pg->in.sampled,
			pg->out.sampled, pg->in.absent, pg->out.absent);
	}
	fprintf(f, "\"error\": %d}", pg->error);
}

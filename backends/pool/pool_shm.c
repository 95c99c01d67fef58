/*
 * pool_shm.c - the parent's side of the shm transport: publish a job, wait for the workers
 * to leave it, handle deaths and retirements on the way, collect partials or results.
 *
 * Committed partials are double-buffered per slot (write the other buffer, then flip an
 * index in the same store that clears the busy bit), so a worker that dies mid-chunk never
 * leaves a torn result and a committed chunk is never run again.
 */
#include "pool_impl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* ---- the shm transport ----------------------------------------------------------------- */

/* Chunks committed by all slots so far: how many, and the sum of their indexes. */
static void committed(const struct pool *p, uint64_t *n, uint64_t *ksum)
{
	*n = *ksum = 0;
	for (unsigned i = 0; i < p->nw; i++) {
		const struct slot *s = &p->shm->slot[i];
		unsigned c = atomic_load(&s->state) & SLOT_COMMIT;

		*n += s->done_n[c];
		*ksum += s->done_ksum[c];
	}
}

/* One run of shm_job(): what it asked for and what its waiting found. */
struct job_run {
	uint64_t base, n, chunk, first;
	int recovery;
	unsigned participants;
	unsigned long gen;
	int lost;                       /* tasks lost with busy workers (more than 1: no retry) */
	struct pool_failure death, idle_death;
	uint64_t n0, ksum0;             /* committed chunks before the job */
	uint64_t lost_n, lost_ksum, idle_deaths;
};

/* The job into shared memory, the slots reset (unless recovering), the workers woken. */
static void job_publish(struct pool *p, const struct pool_map_args *a, struct job_run *r)
{
	struct shm_job *j = &p->shm->job;

	j->base = r->base;
	j->n = r->n;
	j->chunk = r->chunk;
	j->nchunks = (r->n + r->chunk - 1) / r->chunk;
	j->first = r->first;
	j->fn = (uint64_t)(uintptr_t)a->fn;
	j->ctx = (uint64_t)(uintptr_t)a->ctx;
	j->combine = (uint64_t)(uintptr_t)a->combine;
	j->result_size = (uint32_t)a->result_size;
	j->per_task = a->combine == NULL;
	atomic_store(&j->next, 0);
	atomic_store(&j->left, 0);
	atomic_store(&j->abort, 0);
	for (unsigned i = 0; i < p->nw; i++) {
		struct slot *s = &p->shm->slot[i];

		if (!r->recovery) {
			memset(s->partial, 0, sizeof(s->partial));
			memset(s->done_n, 0, sizeof(s->done_n));
			memset(s->done_ksum, 0, sizeof(s->done_ksum));
			atomic_store(&s->state, 0);
			s->error = 0;
		}
		r->participants++;
	}
	committed(p, &r->n0, &r->ksum0);
	r->gen = atomic_fetch_add(&j->gen, 1) + 1; /* publish */
	for (unsigned i = 0; i < p->nw; i++) {
		struct msg wake = { .type = MSG_WAKE };

		if (atomic_load(&p->shm->slot[i].idle) && pool_write_full(p->w[i].task_w, &wake,
								       sizeof(wake)) == 0)
			atomic_fetch_add(&p->shm->slot[i].mail, 1);
	}
}

/* Worker i has ended during the job: reaped, replaced, its chunk noted as lost if it was
 * running one.  0 or -errno (a replacement failed). */
static int job_on_death(struct pool *p, struct job_run *r, unsigned i)
{
	struct shm_job *j = &p->shm->job;
	struct slot *s = &p->shm->slot[i];
	struct pool_failure d;
	int busy = !!(atomic_load_explicit(&s->state, memory_order_acquire) & SLOT_BUSY);
	int had_left = atomic_load(&s->left_gen) == r->gen;

	pool_reap(p, i, &d);
	if (!atomic_load(&s->retiring))
		p->stats.deaths++;
	if (!had_left)
		r->participants--;
	if (busy) {
		d.begin = (size_t)atomic_load(&s->cur_begin);
		d.end = (size_t)atomic_load(&s->cur_end);
		d.kind = POOL_WORKER_DIED;
		r->lost_n++;
		r->lost_ksum += r->first + (d.begin - r->base) / r->chunk;
		pool_describe(&d, "while running");
		if (!r->lost)
			r->death = d;
		r->lost++; /* more than one task lost: no retry */
		if (!p->o.retry || r->recovery || r->lost > 1) {
			atomic_store(&j->abort, 1);
			return 0;
		}
		/* the lost chunk is retried after the job; a fresh worker takes the dead one's
		 * place for the chunks still to come (it may have been the only one) */
		atomic_fetch_and(&s->state, SLOT_COMMIT);
	} else if (!atomic_load(&s->retiring) && !r->idle_deaths++) {
		/* retired (max_tasks_per_worker) or died between chunks (or between a claim and
		 * saying which: counted by job_vanished); a fresh worker takes its place */
		r->idle_death = d;
		r->idle_death.kind = POOL_WORKER_DIED;
	}
	int rc = pool_spawn(p, i, 1);

	if (rc)
		return rc;
	p->stats.respawns++;
	r->participants++;
	return 0;
}

/* Done when every participant has left and every chunk was taken (or the job was aborted):
 * workers retiring under max_tasks_per_worker may all leave with chunks still to run, and
 * are then replaced inside this loop.  0 or -errno. */
static int job_wait(struct pool *p, struct job_run *r)
{
	struct shm_job *j = &p->shm->job;
	uint64_t t0 = pb_mono_ns();
	unsigned polls = 0;

	while (atomic_load_explicit(&j->left, memory_order_acquire) < r->participants ||
	       (atomic_load(&j->next) < j->nchunks && !atomic_load(&j->abort))) {
		if (pb_mono_ns() - t0 < POOL_WAIT_SPIN) {
			spin_poll(&polls);
			continue;
		}
		p->pfd[0] = (struct pollfd){ .fd = p->evfd, .events = POLLIN };
		for (unsigned i = 0; i < p->nw; i++)
			p->pfd[1 + i] = (struct pollfd){ .fd = p->w[i].pid > 0 ? p->w[i].pidfd : -1,
							 .events = POLLIN };
		if (poll(p->pfd, 1 + p->nw, -1) < 0 && errno != EINTR)
			return -errno;
		if (p->pfd[0].revents & POLLIN) {
			uint64_t v;

			if (read(p->evfd, &v, sizeof(v)) < 0)
				(void)0;
		}
		for (unsigned i = 0; i < p->nw; i++) {
			if (!(p->pfd[1 + i].revents & POLLIN))
				continue;
			int rc = job_on_death(p, r, i);

			if (rc)
				return rc;
		}
	}
	return 0;
}

/* A worker that died between claiming a chunk and saying which: the claimed chunks are
 * first .. first + C - 1, so the committed and the known lost ones leave exactly the
 * missing one's index (several missing: no index, no retry). */
static void job_vanished(struct pool *p, struct job_run *r)
{
	struct shm_job *j = &p->shm->job;
	uint64_t cn, cksum, claimed = atomic_load(&j->next);

	claimed = claimed < j->nchunks ? claimed : j->nchunks;
	committed(p, &cn, &cksum);
	cn -= r->n0;
	cksum -= r->ksum0;
	if (cn + r->lost_n + 1 == claimed) { /* one vanished: its index is what is left */
		uint64_t k = r->first * claimed + claimed * (claimed - 1) / 2 - cksum - r->lost_ksum;
		uint64_t b = r->base + (k - r->first) * r->chunk;

		r->idle_death.begin = (size_t)b;
		r->idle_death.end = (size_t)(b + r->chunk < r->base + r->n ? b + r->chunk
									     : r->base + r->n);
		pool_describe(&r->idle_death, "after claiming, before starting");
		if (!r->lost)
			r->death = r->idle_death;
		r->lost++;
	} else if (cn + r->lost_n < claimed) {
		r->idle_death.begin = (size_t)r->base;
		r->idle_death.end = (size_t)(r->base + r->n);
		pool_describe(&r->idle_death, "after claiming chunks, before starting them");
		r->death = r->idle_death;
		r->lost += 2; /* more than one: no retry */
	}
}

/*
 * Runs chunks [base, base + n) on every worker; partials accumulate in the slots.  first is
 * the index of its chunk 0 in the round (0, or the lost chunk's for a retry).  A worker that
 * dies busy names its chunk; one that dies between claiming a chunk and saying so is found by
 * counting (job_vanished).  One lost chunk is run again once, with --retry.
 */
static int shm_job(struct pool *p, const struct pool_map_args *a, uint64_t base, uint64_t n,
		   uint64_t chunk, uint64_t first, int recovery, struct pool_failure *f)
{
	struct shm_job *j = &p->shm->job;
	struct job_run r = { .base = base, .n = n, .chunk = chunk, .first = first,
			     .recovery = recovery };
	int rc = pool_respawn_missing(p);

	if (rc)
		return rc;
	job_publish(p, a, &r);
	rc = job_wait(p, &r);
	if (rc)
		return rc;
	if (r.idle_deaths && !atomic_load(&j->abort))
		job_vanished(p, &r);
	if (r.lost && p->o.retry && !recovery && r.lost == 1) {
		/* run the lost chunk again, once, on a fresh worker; partials carry on */
		uint64_t k = first + (r.death.begin - base) / chunk;

		rc = shm_job(p, a, r.death.begin, r.death.end - r.death.begin,
			     r.death.end - r.death.begin, k, 1, f);
		if (rc == -ECHILD)
			return rc;
		r.lost = 0;
	}
	if (r.lost) {
		*f = r.death;
		return -ECHILD;
	}
	if (atomic_load(&j->next) < j->nchunks) {
		snprintf(f->message, sizeof(f->message), "fork-pool: job ended with chunks not run");
		return -EIO; /* never a silently short result */
	}
	return 0;
}

int pool_shm_map(struct pool *p, const struct pool_map_args *a, size_t chunk,
		   struct pool_failure *f)
{
	size_t per_round = a->combine ? (size_t)-1 : POOL_ARENA / a->result_size;
	size_t nchunks = (a->n + chunk - 1) / chunk;
	unsigned char *acc = a->results;
	int rc = 0;

	if (a->combine)
		memset(a->results, 0, a->result_size);
	for (size_t done = 0; done < nchunks || (nchunks == 0 && done == 0);) {
		size_t k = nchunks - done < per_round ? nchunks - done : per_round;
		uint64_t base = (uint64_t)done * chunk;
		uint64_t n = a->n - base < (uint64_t)k * chunk ? a->n - base : (uint64_t)k * chunk;

		if (nchunks == 0)
			break;
		rc = shm_job(p, a, base, n, chunk, 0, 0, f);
		if (rc)
			return rc;
		for (unsigned i = 0; i < p->nw; i++) {
			struct slot *s = &p->shm->slot[i];

			if (s->error && (!f->kind || s->err_begin < f->begin)) {
				f->kind = POOL_TASK_FAILED;
				f->worker = i;
				f->pid = p->w[i].pid;
				f->task_status = s->error;
				f->begin = (size_t)s->err_begin;
				f->end = (size_t)s->err_end;
			}
			if (a->combine)
				a->combine(acc, s->partial[atomic_load(&s->state) & SLOT_COMMIT]);
		}
		if (!a->combine)
			memcpy(acc + done * a->result_size, p->shm->arena, k * a->result_size);
		p->stats.tasks += k;
		done += k;
	}
	if (f->kind == POOL_TASK_FAILED) {
		snprintf(f->message, sizeof(f->message),
			 "fork-pool task on items [%zu, %zu) failed with status %d (worker %u)",
			 f->begin, f->end, f->task_status, f->worker);
		return -ECANCELED;
	}
	return 0;
}


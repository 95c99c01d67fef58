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

/*
 * Runs chunks [base, base + n) on every worker; partials accumulate in the slots.  first is
 * the index of its chunk 0 in the round (0, or the lost chunk's for a retry).  A worker that
 * dies busy names its chunk; one that dies between claiming a chunk and saying so is found by
 * counting: the claimed chunks are first .. first + C - 1, so the committed and the known
 * lost ones leave exactly the missing one's index (several missing: no index, no retry).
 */
static int shm_job(struct pool *p, const struct pool_map_args *a, uint64_t base, uint64_t n,
		   uint64_t chunk, uint64_t first, int recovery, struct pool_failure *f)
{
	struct shm_job *j = &p->shm->job;
	unsigned participants = 0;
	unsigned long gen;
	int lost = 0, rc;
	struct pool_failure death = { 0 }, idle_death = { 0 };
	uint64_t n0, ksum0, lost_n = 0, lost_ksum = 0, idle_deaths = 0;

	rc = pool_respawn_missing(p);
	if (rc)
		return rc;
	j->base = base;
	j->n = n;
	j->chunk = chunk;
	j->nchunks = (n + chunk - 1) / chunk;
	j->first = first;
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

		if (!recovery) {
			memset(s->partial, 0, sizeof(s->partial));
			memset(s->done_n, 0, sizeof(s->done_n));
			memset(s->done_ksum, 0, sizeof(s->done_ksum));
			atomic_store(&s->state, 0);
			s->error = 0;
		}
		participants++;
	}
	committed(p, &n0, &ksum0);
	gen = atomic_fetch_add(&j->gen, 1) + 1; /* publish */
	for (unsigned i = 0; i < p->nw; i++) {
		struct msg wake = { .type = MSG_WAKE };

		if (atomic_load(&p->shm->slot[i].idle) && pool_write_full(p->w[i].task_w, &wake,
								       sizeof(wake)) == 0)
			atomic_fetch_add(&p->shm->slot[i].mail, 1);
	}

	/* Done when every participant has left and every chunk was taken (or the job was
	 * aborted): workers retiring under max_tasks_per_worker may all leave with chunks still
	 * to run, and are then replaced inside this loop. */
	uint64_t t0 = now_ns();
	unsigned polls = 0;

	while (atomic_load_explicit(&j->left, memory_order_acquire) < participants ||
	       (atomic_load(&j->next) < j->nchunks && !atomic_load(&j->abort))) {
		if (now_ns() - t0 < POOL_WAIT_SPIN) {
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
			struct slot *s = &p->shm->slot[i];
			struct pool_failure d;

			if (!(p->pfd[1 + i].revents & POLLIN))
				continue;
			int busy = !!(atomic_load_explicit(&s->state, memory_order_acquire) & SLOT_BUSY);
			int had_left = atomic_load(&s->left_gen) == gen;

			pool_reap(p, i, &d);
			if (!atomic_load(&s->retiring))
				p->stats.deaths++;
			if (!had_left)
				participants--;
			if (!busy) {
				/* retired (max_tasks_per_worker) or died between chunks (or between
				 * a claim and saying which: counted below); a fresh worker takes
				 * its place in this job */
				if (!atomic_load(&s->retiring) && !idle_deaths++) {
					idle_death = d;
					idle_death.kind = POOL_WORKER_DIED;
				}
				rc = pool_spawn(p, i, 1);
				if (rc)
					return rc;
				p->stats.respawns++;
				participants++;
				continue;
			}
			d.begin = (size_t)atomic_load(&s->cur_begin);
			d.end = (size_t)atomic_load(&s->cur_end);
			d.kind = POOL_WORKER_DIED;
			lost_n++;
			lost_ksum += first + (d.begin - base) / chunk;
			pool_describe(&d, "while running");
			if (!lost) {
				death = d;
				lost = 1;
			} else {
				lost++; /* more than one task lost: no retry */
			}
			if (!p->o.retry || recovery || lost > 1) {
				atomic_store(&j->abort, 1);
				continue;
			}
			/* the lost chunk is retried after the job; a fresh worker takes the dead
			 * one's place for the chunks still to come (it may have been the only one) */
			atomic_fetch_and(&s->state, SLOT_COMMIT);
			rc = pool_spawn(p, i, 1);
			if (rc)
				return rc;
			p->stats.respawns++;
			participants++;
		}
	}
	if (idle_deaths && !atomic_load(&j->abort)) {
		uint64_t cn, cksum, claimed = atomic_load(&j->next);

		claimed = claimed < j->nchunks ? claimed : j->nchunks;
		committed(p, &cn, &cksum);
		cn -= n0;
		cksum -= ksum0;
		if (cn + lost_n + 1 == claimed) { /* one vanished: its index is what is left */
			uint64_t k = first * claimed + claimed * (claimed - 1) / 2 - cksum - lost_ksum;
			uint64_t b = base + (k - first) * chunk;

			idle_death.begin = (size_t)b;
			idle_death.end = (size_t)(b + chunk < base + n ? b + chunk : base + n);
			pool_describe(&idle_death, "after claiming, before starting");
			if (!lost)
				death = idle_death;
			lost++;
		} else if (cn + lost_n < claimed) {
			idle_death.begin = (size_t)base;
			idle_death.end = (size_t)(base + n);
			pool_describe(&idle_death, "after claiming chunks, before starting them");
			death = idle_death;
			lost += 2; /* more than one: no retry */
		}
	}
	if (lost && p->o.retry && !recovery && lost == 1) {
		/* run the lost chunk again, once, on a fresh worker; partials carry on */
		uint64_t k = first + (death.begin - base) / chunk;

		rc = shm_job(p, a, death.begin, death.end - death.begin, death.end - death.begin, k, 1,
			     f);
		if (rc == -ECHILD)
			return rc;
		lost = 0;
	}
	if (lost) {
		*f = death;
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


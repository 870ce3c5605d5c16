/* Timing harness shared by every microbenchmark kernel (bench/yardstick.py).
 *
 * A kernel file defines kernel_init (fill its inputs), kernel_run (the hot
 * loop, reading inputs and writing outputs only, so every call does the same
 * work on the same data) and kernel_checksum. The harness is compiled once,
 * without vectorization, and linked with each variant of a kernel. It calls
 * kernel_run REPS times (argv[1]) and prints the fastest call in nanoseconds
 * and the checksum (which every variant must reproduce).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void kernel_init(void);
void kernel_run(void);
double kernel_checksum(void);

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return 1e9 * (double)t.tv_sec + (double)t.tv_nsec;
}

int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 100;
  double best = 1e300;
  kernel_init();
  kernel_run(); /* warm caches and page tables */
  for (int r = 0; r < reps; r++) {
    double t0 = now_ns();
    kernel_run();
    double spent = now_ns() - t0;
    if (spent < best)
      best = spent;
  }
  printf("min_ns %.1f\nchecksum %.17g\n", best, kernel_checksum());
  return 0;
}

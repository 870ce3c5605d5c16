/* Models NPB FT's Stockham FFT pass (Swarztrauber in fft3d.c): radix-2
 * butterflies on complex rows of a cache block, each pair scaled by a complex
 * twiddle factor, two stages per call (input -> scratch -> output). Complex
 * numbers are {re, im} pairs of doubles, as in FT, so SLP pairs re with im. */
#define N 64      /* points per FFT */
#define VLEN 16   /* rows transformed together (FT's fftblock) */

typedef struct { double re, im; } cplx;

static cplx in[N][VLEN], scratch[N][VLEN], out[N][VLEN], twiddle[N];

static void stage(cplx (*src)[VLEN], cplx (*dst)[VLEN], int lk) {
  int half = N / 2, li = N / (2 * lk);
  for (int i = 0; i < li; i++) {
    cplx u = twiddle[li + i];
    for (int k = 0; k < lk; k++) {
      cplx *a = src[i * lk + k], *b = src[i * lk + k + half];
      cplx *sum = dst[2 * i * lk + k], *dif = dst[2 * i * lk + k + lk];
      for (int j = 0; j < VLEN; j++) {
        double dr = a[j].re - b[j].re, di = a[j].im - b[j].im;
        sum[j].re = a[j].re + b[j].re;
        sum[j].im = a[j].im + b[j].im;
        dif[j].re = u.re * dr - u.im * di;
        dif[j].im = u.re * di + u.im * dr;
      }
    }
  }
}

void kernel_init(void) {
  for (int k = 0; k < N; k++) {
    twiddle[k].re = 1.0 / (k + 1);
    twiddle[k].im = 0.5 - 1.0 / (k + 2);
    for (int j = 0; j < VLEN; j++) {
      in[k][j].re = (k * 7 + j) % 13 * 0.25;
      in[k][j].im = (k * 3 + j * 5) % 11 * 0.125;
    }
  }
}

void kernel_run(void) {
  stage(in, scratch, 1);
  stage(scratch, out, 2);
}

double kernel_checksum(void) {
  double s = 0;
  for (int k = 0; k < N; k++)
    for (int j = 0; j < VLEN; j++)
      s += out[k][j].re * (k + 1) + out[k][j].im * (j + 2);
  return s;
}

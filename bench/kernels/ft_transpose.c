/* Models NPB FT's fftXYZ block copies (fft3d.c): a block of complex rows is
 * copied into a padded, transposed work plane before the FFT and back after. */
#define N1 64
#define N2 64
#define BLOCK 16

typedef struct { double re, im; } cplx;

static cplx field[N2][N1 + 1], result[N2][N1 + 1], plane[(BLOCK + 1) * N1];

void kernel_init(void) {
  for (int j = 0; j < N2; j++)
    for (int i = 0; i <= N1; i++) {
      field[j][i].re = (i * 3 + j) % 17 * 0.5;
      field[j][i].im = (i + j * 7) % 19 * 0.25;
    }
}

void kernel_run(void) {
  int stride = BLOCK + 1;
  for (int start = 0; start < N2; start += BLOCK) {
    for (int j = start; j < start + BLOCK; j++)
      for (int i = 0; i < N1; i++)
        plane[j - start + stride * i] = field[j][i];
    for (int j = start; j < start + BLOCK; j++)
      for (int i = 0; i < N1; i++)
        result[j][i] = plane[j - start + stride * i];
  }
}

double kernel_checksum(void) {
  double s = 0;
  for (int j = 0; j < N2; j++)
    for (int i = 0; i < N1; i++)
      s += result[j][i].re * (i + 1) + result[j][i].im;
  return s;
}

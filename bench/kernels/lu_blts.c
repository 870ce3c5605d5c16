/* Models NPB LU's blts (lower-triangular sweep of SSOR): at each grid point
 * the 5-vector is corrected by 5x5 blocks times its already-solved west and
 * south neighbours, then the point's own 5x5 diagonal block is solved by
 * Gaussian elimination without pivoting. The sweep is a recurrence in i and j;
 * its outputs for the boundary row and column are fixed by kernel_init. */
#define NY 14
#define NX 14

static double v_in[NY][NX][5], v[NY][NX][5];
static double a_y[NY][NX][5][5], a_x[NY][NX][5][5], diag[NY][NX][5][5];
static const double omega = 1.2;

void kernel_init(void) {
  for (int j = 0; j < NY; j++)
    for (int i = 0; i < NX; i++) {
      for (int m = 0; m < 5; m++) {
        v_in[j][i][m] = (i + 2 * j + m) % 7 * 0.1;
        v[j][i][m] = v_in[j][i][m];
        for (int n = 0; n < 5; n++) {
          a_y[j][i][n][m] = 0.01 * ((n + m + i) % 5);
          a_x[j][i][n][m] = 0.01 * ((n * m + j) % 4);
          diag[j][i][n][m] = (n == m ? 4.0 : 0.1 / (1 + n + m));
        }
      }
    }
}

static void solve5(double t[5][5], double r[5], double x[5]) {
  for (int p = 0; p < 4; p++) {
    double inv = 1.0 / t[p][p];
    for (int q = p + 1; q < 5; q++) {
      double f = inv * t[q][p];
      for (int c = p + 1; c < 5; c++)
        t[q][c] -= f * t[p][c];
      r[q] -= r[p] * f;
    }
  }
  for (int p = 4; p >= 0; p--) {
    double acc = r[p];
    for (int c = p + 1; c < 5; c++)
      acc -= t[p][c] * x[c];
    x[p] = acc / t[p][p];
  }
}

void kernel_run(void) {
  for (int j = 1; j < NY; j++)
    for (int i = 1; i < NX; i++) {
      double tv[5], t[5][5];
      for (int m = 0; m < 5; m++) {
        double acc = 0;
        for (int n = 0; n < 5; n++)
          acc += a_y[j][i][n][m] * v[j - 1][i][n] + a_x[j][i][n][m] * v[j][i - 1][n];
        tv[m] = v_in[j][i][m] - omega * acc;
      }
      for (int m = 0; m < 5; m++)
        for (int n = 0; n < 5; n++)
          t[m][n] = diag[j][i][n][m];
      solve5(t, tv, v[j][i]);
    }
}

double kernel_checksum(void) {
  double s = 0;
  for (int j = 0; j < NY; j++)
    for (int i = 0; i < NX; i++)
      for (int m = 0; m < 5; m++)
        s += v[j][i][m] * (m + 1);
  return s;
}

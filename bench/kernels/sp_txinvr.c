/* Models NPB SP's txinvr (block-diagonal matrix-vector product): at every
 * grid point the five right-hand-side components are combined with the
 * point's velocity, density and speed of sound into five new components. */
#define NZ 12
#define NY 12
#define NX 12

static double rhs[NZ][NY][NX][5], out[NZ][NY][NX][5];
static double rho_i[NZ][NY][NX], us[NZ][NY][NX], vs[NZ][NY][NX], ws[NZ][NY][NX];
static double qs[NZ][NY][NX], speed[NZ][NY][NX];
static const double c2 = 0.4, bt = 0.70710678118654752;

void kernel_init(void) {
  for (int k = 0; k < NZ; k++)
    for (int j = 0; j < NY; j++)
      for (int i = 0; i < NX; i++) {
        rho_i[k][j][i] = 1.0 / (2 + i + j);
        us[k][j][i] = 0.1 * (i - j);
        vs[k][j][i] = 0.05 * (j + k);
        ws[k][j][i] = 0.02 * (k - i);
        qs[k][j][i] = 0.5 * (us[k][j][i] * us[k][j][i] + vs[k][j][i] * vs[k][j][i]);
        speed[k][j][i] = 1.0 + 0.01 * (i + j + k);
        for (int m = 0; m < 5; m++)
          rhs[k][j][i][m] = (i + 2 * j + 3 * k + m) % 9 * 0.125;
      }
}

void kernel_run(void) {
  for (int k = 0; k < NZ; k++)
    for (int j = 0; j < NY; j++)
      for (int i = 0; i < NX; i++) {
        double ru1 = rho_i[k][j][i], uu = us[k][j][i], vv = vs[k][j][i], ww = ws[k][j][i];
        double ac = speed[k][j][i], ac2inv = ac * ac;
        double r1 = rhs[k][j][i][0], r2 = rhs[k][j][i][1], r3 = rhs[k][j][i][2];
        double r4 = rhs[k][j][i][3], r5 = rhs[k][j][i][4];
        double t1 = c2 / ac2inv * (qs[k][j][i] * r1 - uu * r2 - vv * r3 - ww * r4 + r5);
        double t2 = bt * ru1 * (uu * r1 - r2);
        double t3 = (bt * ru1 * ac) * t1;
        out[k][j][i][0] = r1 - t1;
        out[k][j][i][1] = -ru1 * (ww * r1 - r4);
        out[k][j][i][2] = ru1 * (vv * r1 - r3);
        out[k][j][i][3] = -t2 + t3;
        out[k][j][i][4] = t2 + t3;
      }
}

double kernel_checksum(void) {
  double s = 0;
  for (int k = 0; k < NZ; k++)
    for (int j = 0; j < NY; j++)
      for (int i = 0; i < NX; i++)
        for (int m = 0; m < 5; m++)
          s += out[k][j][i][m] * (m + 1);
  return s;
}

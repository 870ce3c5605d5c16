/* Models NPB SP's x_solve forward elimination (x_solve.c): a pentadiagonal
 * system along each grid line, eliminated point by point; each step scales
 * the pivot row and updates the next two rows of the matrix and of the three
 * right-hand sides that share it. The matrix and right-hand sides are copied
 * from the inputs first, so every call eliminates the same system. */
#define NY 24
#define NX 24

static double lhs_in[NY][NX][5], lhs[NY][NX][5];
static double rhs_in[NY][NX][3], rhs[NY][NX][3];

void kernel_init(void) {
  for (int j = 0; j < NY; j++)
    for (int i = 0; i < NX; i++) {
      lhs_in[j][i][0] = 0.05 * ((i + j) % 3);
      lhs_in[j][i][1] = -0.25 - 0.01 * (i % 5);
      lhs_in[j][i][2] = 2.0 + 0.01 * j;
      lhs_in[j][i][3] = -0.25 + 0.01 * (j % 7);
      lhs_in[j][i][4] = 0.05 * ((i * j) % 4);
      for (int m = 0; m < 3; m++)
        rhs_in[j][i][m] = (i + 3 * j + m) % 11 * 0.1;
    }
}

void kernel_run(void) {
  for (int j = 0; j < NY; j++) {
    for (int i = 0; i < NX; i++) {
      for (int m = 0; m < 5; m++)
        lhs[j][i][m] = lhs_in[j][i][m];
      for (int m = 0; m < 3; m++)
        rhs[j][i][m] = rhs_in[j][i][m];
    }
    for (int i = 0; i < NX - 2; i++) {
      int i1 = i + 1, i2 = i + 2;
      double fac1 = 1.0 / lhs[j][i][2];
      lhs[j][i][3] = fac1 * lhs[j][i][3];
      lhs[j][i][4] = fac1 * lhs[j][i][4];
      for (int m = 0; m < 3; m++)
        rhs[j][i][m] = fac1 * rhs[j][i][m];
      lhs[j][i1][2] = lhs[j][i1][2] - lhs[j][i1][1] * lhs[j][i][3];
      lhs[j][i1][3] = lhs[j][i1][3] - lhs[j][i1][1] * lhs[j][i][4];
      for (int m = 0; m < 3; m++)
        rhs[j][i1][m] = rhs[j][i1][m] - lhs[j][i1][1] * rhs[j][i][m];
      lhs[j][i2][1] = lhs[j][i2][1] - lhs[j][i2][0] * lhs[j][i][3];
      lhs[j][i2][2] = lhs[j][i2][2] - lhs[j][i2][0] * lhs[j][i][4];
      for (int m = 0; m < 3; m++)
        rhs[j][i2][m] = rhs[j][i2][m] - lhs[j][i2][0] * rhs[j][i][m];
    }
  }
}

double kernel_checksum(void) {
  double s = 0;
  for (int j = 0; j < NY; j++)
    for (int i = 0; i < NX; i++)
      s += rhs[j][i][0] + 2 * rhs[j][i][1] + 3 * rhs[j][i][2] + lhs[j][i][3];
  return s;
}

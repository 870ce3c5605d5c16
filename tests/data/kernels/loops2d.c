/* Pattern: 2-D loop nest with a hand-unrolled inner body.
 *
 * Each row of 8 floats produces 4 averaged outputs; addresses are
 * GEPs off a row pointer that depends on the loop index.
 */
void blur_rows(float *restrict out, const float *restrict in, int rows) {
  for (int r = 0; r < rows; r++) {
    const float *row = in + 8 * r;
    float *o = out + 8 * r;
    o[0] = (row[0] + row[1]) * 0.5f; o[1] = (row[1] + row[2]) * 0.5f;
    o[2] = (row[2] + row[3]) * 0.5f; o[3] = (row[3] + row[4]) * 0.5f;
  }
}

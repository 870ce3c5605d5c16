/* a global array read and written with constant indices */
double table[8];
void scale_table(double s) {
  table[0] *= s; table[1] *= s; table[2] *= s; table[3] *= s;
  table[4] += table[0]; table[5] += table[1];
}

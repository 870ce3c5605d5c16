/* a switch statement (printed over several lines by LLVM) */
int classify(int k, int *restrict out) {
  switch (k) {
  case 0: out[0] = 1; out[1] = 2; break;
  case 1: out[0] = 3; out[1] = 4; break;
  case 7: out[0] = k; break;
  default: return -1;
  }
  return out[0] + out[1];
}

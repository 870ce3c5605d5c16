/* Pattern: a switch statement (LLVM prints it over several lines).
 *
 * The case bodies store short runs to out[]; the switch terminator itself
 * must stay one instruction in slpvec's model.
 */
int classify(int k, int *restrict out) {
  switch (k) {
  case 0: out[0] = 1; out[1] = 2; break;
  case 1: out[0] = 3; out[1] = 4; break;
  case 7: out[0] = k; break;
  default: return -1;
  }
  return out[0] + out[1];
}

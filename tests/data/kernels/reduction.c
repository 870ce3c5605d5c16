/* reductions in loops (the loop vectorizer makes vector phis) */
float sum(const float *x, int n) { float s = 0; for (int i = 0; i < n; i++) s += x[i]; return s; }
long isum(const int *x, int n) { long s = 0; for (int i = 0; i < n; i++) s += x[i] * 3; return s; }

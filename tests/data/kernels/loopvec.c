/* a loop the loop vectorizer vectorizes: vector types appear in the input */
void saxpy(float *restrict y, const float *restrict x, float a, int n) {
  for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i];
}

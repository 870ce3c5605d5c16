/* struct-of-fields update: particle position += velocity * dt */
struct particle { float x, y, z, vx, vy, vz; };
void step(struct particle *restrict p, float dt) {
  p->x += p->vx * dt; p->y += p->vy * dt; p->z += p->vz * dt;
  p->vx *= 0.99f; p->vy *= 0.99f; p->vz *= 0.99f;
}

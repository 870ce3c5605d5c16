/* Pattern: struct-of-fields update (particle x, y, z, vx, vy, vz).
 *
 * Position += velocity * dt, then velocity damping. The six fields are
 * adjacent floats, so the x/y/z and vx/vy/vz triples are 3-lane packs at
 * byte offsets 0 and 12 of the struct.
 */
struct particle { float x, y, z, vx, vy, vz; };

void step(struct particle *restrict p, float dt) {
  p->x += p->vx * dt;
  p->y += p->vy * dt;
  p->z += p->vz * dt;
  p->vx *= 0.99f;
  p->vy *= 0.99f;
  p->vz *= 0.99f;
}

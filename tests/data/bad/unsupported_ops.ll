declare float @llvm.experimental.constrained.fadd.f32(float, float, metadata, metadata)
declare i32 @llvm.ctpop.i32(i32)

define void @odd(ptr noalias %a, ptr noalias %b, ptr noalias %c, i32 %x) {
entry:
  %a1 = getelementptr inbounds float, ptr %a, i64 1
  %b1 = getelementptr inbounds float, ptr %b, i64 1
  %c1 = getelementptr inbounds float, ptr %c, i64 1
  %l0 = load float, ptr %a, align 4
  %l1 = load float, ptr %a1, align 4
  %m0 = load float, ptr %b, align 4
  %m1 = load float, ptr %b1, align 4
  %s0 = fadd float %l0, %m0
  %s1 = fadd float %l1, %m1
  %f = freeze float %s0
  %old = atomicrmw add ptr %c, i32 %x seq_cst, align 4
  fence seq_cst
  %pair = cmpxchg ptr %c, i32 0, i32 %x seq_cst seq_cst, align 4
  call void asm sideeffect "nop", ""()
  %cs = call float @llvm.experimental.constrained.fadd.f32(float %l0, float %m1, metadata !"round.dynamic", metadata !"fpexcept.strict")
  %pc = call i32 @llvm.ctpop.i32(i32 %old)
  %d0 = fmul float %f, 2.0
  %d1 = fmul float %s1, 2.0
  %e0 = fadd float %d0, %cs
  store float %e0, ptr %c1, align 4
  %g2 = getelementptr inbounds float, ptr %b, i64 2
  %g3 = getelementptr inbounds float, ptr %b, i64 3
  store float %d0, ptr %g2, align 4
  store float %d1, ptr %g3, align 4
  ret void
}

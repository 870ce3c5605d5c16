"""Tools built on the core stages (ir, analysis, cost, policies, codegen, driver):
the compiler driver `cc`, `evaluate`, `llvm_compare`, `validate`, `fuzz`, `minimise`,
the random block generators `randblocks`/`fuzzgen`. Core modules never import from here."""

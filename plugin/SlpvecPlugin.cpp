//===- SlpvecPlugin.cpp - slpvec as LLVM's SLP vectorizer, as a pass plugin ===//
//
// clang-22 -O3 -fpass-plugin=$(slpvec plugin-path) [-mllvm -slpvec-policy=gnn] ...
// opt-22 -load-pass-plugin=$(slpvec plugin-path) -passes='default<O3>' ...
//
// What it does to the O2/O3 pipeline:
//  * LLVM's own SLPVectorizerPass is skipped (a should-run-optional-pass
//    instrumentation callback), so -fno-slp-vectorize is not needed;
//  * slpvec runs only where the pipeline has an SLP pass: -fno-slp-vectorize
//    means no SLP at all, and slpvec follows LLVM's levels (clang runs SLP at
//    -O2, -O3, -Os and -Oz, not at -O1): the callback above notes that
//    SLPVectorizerPass was asked to run, which happens (function by
//    function) before OptimizerLast;
//  * at the end of the module optimisation pipeline (OptimizerLast) the whole
//    module goes to the Python vectorizer, a `python -m slpvec plugin-worker`
//    process (module text in a temporary file, vectorized text back, plus the
//    names of the functions it changed);
//  * functions whose body cannot be moved (label addresses, see
//    usesLabelAddresses) are named to the worker (--keep-bodies), so its
//    report shows them scalar;
//  * the returned module is parsed into the same LLVMContext and verified; the
//    bodies of the changed functions replace the originals (globals mapped by
//    name, metadata by slot number), the module is verified again, and each
//    changed function gets the passes LLVM runs after SLP (-slpvec-cleanup,
//    then -slpvec-late-cleanup).
// Where slpvec sees the code (-slpvec-placement): in LLVM's function pipeline
// the SLP vectorizer runs right before the loop unroller (loop-unroll<O3>),
// which then unrolls the loops SLP made smaller. The plugin skips that
// unroller (and the transform warnings after it) for every function SLP was
// asked for and runs it at OptimizerLast with the pipeline's own settings
// (level, -fno-unroll-loops), followed by the passes after it in the
// pipeline. With placement "split" (default) its full unrolling (loops of
// constant trip count, e.g. a 5-iteration stencil loop whose values LICM
// keeps in phis, which slpvec does not pack) runs before slpvec, its partial
// and runtime unrolling after: slpvec sees a loop body once, not the
// unroller's copies side by side (NPB IS's key histogram: packing 4 copies'
// key loads and extracting every lane for an address ran 0.94x clang), and
// the unroller sees slpvec's smaller bodies. "slp": all unrolling after
// slpvec, exactly where LLVM's SLP sits. "last": slpvec after the unroller.
// Why OptimizerLast and not a function-pipeline extension point: a pass there
// sees one function at a time (one worker round trip per function), and no
// extension point sits between SLP and the unroller (VectorizerEnd comes
// after both); at OptimizerLast one round trip covers every function.
// Any failure (worker missing, crashing, timing out, IR that does not parse or
// verify, a mapping that does not fit) leaves the module as it was and prints
// one line: "slpvec: warning: <source>: <why>; module left unchanged".
//
// Options (-mllvm with clang; each falls back to an environment variable):
//   -slpvec-policy=P       SLPVEC_POLICY      greedy (default), ilp, gnn, ..., llvm
//                                             (llvm: keep LLVM's SLP, no slpvec)
//   -slpvec-model=DIR      SLPVEC_MODEL       gnn model directory
//   -slpvec-time-limit=S   SLPVEC_TIME_LIMIT  ILP seconds per block
//   -slpvec-report-dir=D   SLPVEC_REPORT_DIR  one JSON report per module
//   -slpvec-python=PY      SLPVEC_PYTHON      python running the worker
//   -slpvec-worker-timeout=S                  kill the worker after S seconds (0: none)
//   -slpvec-placement=P    SLPVEC_PLACEMENT   split (default), slp or last (see above)
//   -slpvec-cleanup=PIPELINE                  function passes run on changed functions first
//   -slpvec-late-cleanup=PIPELINE             then (after the deferred unroller) on changed and
//                                             unroll-deferred functions
// SLPVEC_PLUGIN_DEBUG=1 prints the verifier's and the metadata check's details.
// The worker itself hands the module to a long-lived server unless
// SLPVEC_PLUGIN_SERVER=0 (slpvec/tools/plugin_server.py).
//===----------------------------------------------------------------------===//

#include "llvm/AsmParser/Parser.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/AsmParser/SlotMapping.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/ModuleSlotTracker.h"
#include "llvm/IR/PassInstrumentation.h"
#include "llvm/IR/PassManager.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Plugins/PassPlugin.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Transforms/Scalar/LoopUnrollPass.h"
#include "llvm/Transforms/Scalar/WarnMissedTransforms.h"
#include "llvm/Transforms/Utils/ValueMapper.h"

#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <utility>

#ifndef SLPVEC_PYTHON
#define SLPVEC_PYTHON "python3"
#endif

using namespace llvm;

// The function passes that follow slp-vectorizer in LLVM 22's O3 pipeline
// (`opt-22 -passes='default<O3>' -print-pipeline-passes`): those before the
// loop unroller (run on the functions slpvec changed) and those after it and
// transform-warning (run on those and on the functions whose unroller waited
// for slpvec).
static const char *DefaultCleanup =
    "vector-combine,instcombine<max-iterations=1;no-verify-fixpoint>";
static const char *DefaultLateCleanup =
    "sroa<preserve-cfg>,infer-alignment,instcombine<max-iterations=1;no-verify-fixpoint>,"
    "loop-mssa(licm<allowspeculation>),alignment-from-assumptions,loop-sink,instsimplify,"
    "div-rem-pairs,tailcallelim,"
    "simplifycfg<bonus-inst-threshold=1;no-forward-switch-cond;switch-range-to-icmp;"
    "switch-to-arithmetic;no-switch-to-lookup;keep-loops;no-hoist-common-insts;"
    "hoist-loads-stores-with-cond-faulting;no-sink-common-insts;speculate-blocks;"
    "simplify-cond-branch;speculate-unpredictables>";

static cl::opt<std::string> PolicyOpt("slpvec-policy", cl::init("greedy"),
                                      cl::desc("slpvec packing policy (llvm: keep LLVM's SLP)"));
static cl::opt<std::string> ModelOpt("slpvec-model", cl::init(""),
                                     cl::desc("slpvec gnn model directory"));
static cl::opt<std::string> TimeLimitOpt("slpvec-time-limit", cl::init(""),
                                         cl::desc("slpvec ILP seconds per block"));
static cl::opt<std::string> ReportDirOpt("slpvec-report-dir", cl::init(""),
                                         cl::desc("write one slpvec JSON report per module here"));
static cl::opt<std::string> PythonOpt("slpvec-python", cl::init(""),
                                      cl::desc("python that runs `-m slpvec plugin-worker`"));
static cl::opt<unsigned> TimeoutOpt("slpvec-worker-timeout", cl::init(0),
                                    cl::desc("seconds before the slpvec worker is killed (0: none)"));
static cl::opt<std::string> PlacementOpt(
    "slpvec-placement", cl::init("split"),
    cl::desc("split: full unrolling before slpvec, partial and runtime unrolling after it; "
             "slp: all unrolling after slpvec, as after LLVM's SLP; last: slpvec after it"));
static cl::opt<std::string> CleanupOpt("slpvec-cleanup", cl::init(DefaultCleanup),
                                       cl::desc("function passes run on functions slpvec changed"));
static cl::opt<std::string> LateCleanupOpt(
    "slpvec-late-cleanup", cl::init(DefaultLateCleanup),
    cl::desc("function passes run after the deferred unroller on changed and deferred functions"));

/// The option's value, else the environment variable's, else the default.
static std::string setting(const cl::opt<std::string> &Opt, const char *Env) {
  if (Opt.getNumOccurrences() == 0)
    if (const char *Value = std::getenv(Env); Value && *Value)
      return Value;
  return Opt;
}

static std::string policy() { return setting(PolicyOpt, "SLPVEC_POLICY"); }

namespace {

/// Why the module was left unchanged (empty: it was not).
struct Failure {
  std::string Why;
  explicit operator bool() const { return !Why.empty(); }
};

std::string oneLine(StringRef Text) {
  Text = Text.trim();
  if (size_t Last = Text.rfind('\n'); Last != StringRef::npos)
    Text = Text.substr(Last + 1);
  return Text.empty() ? std::string("no message") : Text.str();
}

/// Temporary files removed when this goes out of scope.
struct TempFiles {
  SmallVector<SmallString<128>, 4> Paths;
  SmallVector<FileRemover, 4> Removers;
  std::string make(StringRef Suffix) {
    SmallString<128> Path;
    if (sys::fs::createTemporaryFile("slpvec-plugin", Suffix, Path))
      return "";
    Paths.push_back(Path);
    Removers.emplace_back(Path);
    return std::string(Path);
  }
};

bool usesLabelAddresses(Function &F);

/// Run the worker on the module; on success the vectorized text's path and
/// the names of the functions it changed.
Failure runWorker(Module &M, TempFiles &Tmp, std::string &OutPath,
                  std::vector<std::string> &Changed) {
  std::string In = Tmp.make("ll"), Out = Tmp.make("ll"), Names = Tmp.make("txt"),
              Err = Tmp.make("err"), Kept = Tmp.make("txt");
  if (In.empty() || Out.empty() || Names.empty() || Err.empty() || Kept.empty())
    return {"cannot create temporary files"};
  bool AnyKept = false;
  {
    std::error_code EC;
    raw_fd_ostream OS(Kept, EC);
    if (EC)
      return {"cannot write " + Kept + ": " + EC.message()};
    for (Function &F : M)
      if (!F.isDeclaration() && usesLabelAddresses(F)) {
        F.printAsOperand(OS, /*PrintType=*/false, &M);  // as the text names it: @"a:b", @0
        OS << "\n";
        AnyKept = true;
      }
  }
  {
    std::error_code EC;
    raw_fd_ostream OS(In, EC);
    if (EC)
      return {"cannot write " + In + ": " + EC.message()};
    M.print(OS, nullptr);
  }
  std::string Python = setting(PythonOpt, "SLPVEC_PYTHON");
  if (Python.empty())
    Python = SLPVEC_PYTHON;
  if (Python.find('/') == std::string::npos) {
    auto Found = sys::findProgramByName(Python);
    if (!Found)
      return {"python '" + Python + "' not found"};
    Python = *Found;
  }
  std::vector<std::string> Args = {Python, "-m", "slpvec", "plugin-worker", In, Out,
                                   "--policy", policy(), "--source",
                                   M.getSourceFileName().empty() ? M.getModuleIdentifier()
                                                                 : M.getSourceFileName()};
  for (auto [Flag, Value] :
       {std::pair<const char *, std::string>{"--model", setting(ModelOpt, "SLPVEC_MODEL")},
        {"--time-limit", setting(TimeLimitOpt, "SLPVEC_TIME_LIMIT")},
        {"--report-dir", setting(ReportDirOpt, "SLPVEC_REPORT_DIR")},
        {"--keep-bodies", AnyKept ? Kept : std::string()}})
    if (!Value.empty()) {
      Args.push_back(Flag);
      Args.push_back(Value);
    }
  SmallVector<StringRef, 16> ArgRefs(Args.begin(), Args.end());
  std::optional<StringRef> Redirects[] = {StringRef(""), StringRef(Names), StringRef(Err)};
  std::string ErrMsg;
  int Status = sys::ExecuteAndWait(Python, ArgRefs, std::nullopt, Redirects, TimeoutOpt, 0,
                                   &ErrMsg);
  if (Status != 0) {
    auto Log = MemoryBuffer::getFile(Err);
    std::string Why = Log && !(*Log)->getBuffer().trim().empty()
                          ? oneLine((*Log)->getBuffer())
                          : (ErrMsg.empty() ? "exit status " + std::to_string(Status) : ErrMsg);
    return {"worker failed: " + Why};
  }
  if (auto Log = MemoryBuffer::getFile(Err); Log && !(*Log)->getBuffer().empty())
    errs() << (*Log)->getBuffer();  // the worker's own warnings (e.g. no report)
  auto List = MemoryBuffer::getFile(Names);
  if (!List)
    return {"worker wrote no function list"};
  SmallVector<StringRef, 16> Lines;
  (*List)->getBuffer().split(Lines, '\n', -1, false);
  for (StringRef Line : Lines)
    if (!Line.trim().empty())
      Changed.push_back(Line.trim().str());
  OutPath = Out;
  return {};
}

/// Maps the values and metadata of the worker's module N onto module M.
struct Mapper {
  Module &M, &N;
  ValueToValueMapTy VMap{};

  /// Globals by name; unnamed ones (@0, @1) by position within their kind;
  /// intrinsics N declares and M does not are declared in M.
  Failure mapGlobals() {
    std::vector<GlobalValue *> Unnamed[2];
    for (Module *Mod : {&M, &N}) {
      auto &List = Unnamed[Mod == &N];
      for (GlobalValue &G : Mod->global_values())
        if (!G.hasName())
          List.push_back(&G);
    }
    if (Unnamed[0].size() != Unnamed[1].size())
      return {"unnamed globals differ"};
    for (size_t I = 0; I < Unnamed[0].size(); ++I) {
      if (Unnamed[0][I]->getValueID() != Unnamed[1][I]->getValueID() ||
          Unnamed[0][I]->getType() != Unnamed[1][I]->getType())
        return {"unnamed globals differ"};
      VMap[Unnamed[1][I]] = Unnamed[0][I];
    }
    for (GlobalValue &G : N.global_values()) {
      if (!G.hasName())
        continue;
      GlobalValue *Old = M.getNamedValue(G.getName());
      if (!Old) {
        auto *F = dyn_cast<Function>(&G);
        if (!F || !F->isIntrinsic())
          return {"the vectorized module adds @" + G.getName().str()};
        Old = cast<Function>(
            M.getOrInsertFunction(F->getName(), F->getFunctionType(), F->getAttributes())
                .getCallee());
      }
      if (Old->getType() != G.getType())
        return {"@" + G.getName().str() + " changed type"};
      VMap[&G] = Old;
    }
    return {};
  }

  /// Some metadata node of M (nullptr if it has none).
  const MDNode *anyNode() const {
    for (const NamedMDNode &Named : M.named_metadata())
      if (Named.getNumOperands())
        return Named.getOperand(0);
    SmallVector<std::pair<unsigned, MDNode *>, 4> Attached;
    for (const Function &F : M) {
      F.getAllMetadata(Attached);
      if (!Attached.empty())
        return Attached.front().second;
      for (const Instruction &I : instructions(F)) {
        I.getAllMetadata(Attached);
        if (!Attached.empty())
          return Attached.front().second;
      }
    }
    return nullptr;
  }

  /// Metadata by slot number: the worker keeps M's `!N` numbering (it does not
  /// reprint the metadata), so N's node !k is M's node !k. Every pair is
  /// checked to have the same shape (kind, distinctness, operands: the same
  /// slots, strings, constants, mapped globals), so a shifted numbering can
  /// never swap, say, two TBAA tags: it fails and the module stays as it was.
  Failure mapMetadata(const SlotMapping &Slots) {
    ModuleSlotTracker MST(&M, /*ShouldInitializeAllMetadata=*/true);
    // Looking up a node's slot through the tracker numbers all of them.
    if (const MDNode *Any = anyNode()) {
      raw_null_ostream Null;
      Any->printAsOperand(Null, MST, &M);
    }
    ModuleSlotTracker::MachineMDNodeListType Old;
    MST.collectMDNodes(Old, 0, ~0u);
    std::map<unsigned, const MDNode *> BySlot(Old.begin(), Old.end());
    DenseMap<const MDNode *, unsigned> OldSlot, NewSlot;
    for (auto &[Slot, Node] : Old)
      OldSlot[Node] = Slot;
    for (const auto &[Slot, Node] : Slots.MetadataNodes)
      NewSlot[Node.get()] = Slot;
    for (const auto &[Slot, Node] : Slots.MetadataNodes) {
      auto It = BySlot.find(Slot);
      if (It == BySlot.end() || !sameShape(*Node, *It->second, OldSlot, NewSlot)) {
        if (std::getenv("SLPVEC_PLUGIN_DEBUG") && It != BySlot.end()) {
          Node->print(errs(), &N);
          errs() << "\n";
          It->second->print(errs(), MST, &M);
          errs() << "\n";
        }
        return {"metadata !" + std::to_string(Slot) + " does not match"};
      }
      // A DIAssignID links instructions and #dbg_assign records of one body:
      // the new body keeps its own (the old one stays with the parked body).
      if (Node.get() != It->second && !isa<DIAssignID>(Node.get()))
        VMap.MD()[Node.get()].reset(const_cast<MDNode *>(It->second));
    }
    return {};
  }

  /// Same kind and distinctness; for plain tuples (TBAA, alias scopes, loop
  /// and range metadata: what optimisations read) also the same operands
  /// (nodes by slot, unnumbered ones by identity, globals through VMap).
  /// Debug-info nodes are compared by kind only: their parsed and built forms
  /// may differ in storage (a size as a null operand or a constant).
  bool sameShape(const MDNode &New, const MDNode &Old,
                 const DenseMap<const MDNode *, unsigned> &OldSlot,
                 const DenseMap<const MDNode *, unsigned> &NewSlot) {
    if (New.getMetadataID() != Old.getMetadataID() || New.isDistinct() != Old.isDistinct())
      return false;
    if (!isa<MDTuple>(New))
      return true;
    if (New.getNumOperands() != Old.getNumOperands())
      return false;
    for (unsigned I = 0; I < New.getNumOperands(); ++I) {
      const Metadata *A = New.getOperand(I), *B = Old.getOperand(I);
      if (A == B)
        continue;
      if (!A || !B || A->getMetadataID() != B->getMetadataID())
        return false;
      if (auto *NodeA = dyn_cast<MDNode>(A)) {
        auto SA = NewSlot.find(NodeA), SB = OldSlot.find(cast<MDNode>(B));
        if (SA == NewSlot.end() || SB == OldSlot.end() || SA->second != SB->second)
          return false;
      } else if (auto *ValueA = dyn_cast<ValueAsMetadata>(A)) {
        auto *GA = dyn_cast<GlobalValue>(ValueA->getValue());
        auto Mapped = GA ? VMap.find(GA) : VMap.end();
        if (Mapped == VMap.end() || Mapped->second != cast<ValueAsMetadata>(B)->getValue())
          return false;
      } else {
        return false;  // strings and constants are uniqued: equal ones are identical
      }
    }
    return true;
  }
};

/// Does moving F's body break label addresses? blockaddress constants (a
/// static table for computed goto) name blocks of one body: the old body is
/// erased after the swap, which turns its addresses into `inttoptr 1`, and a
/// new body's blockaddress of another function is not remapped. Such
/// functions keep their old body.
bool usesLabelAddresses(Function &F) {
  if (any_of(F, [](BasicBlock &BB) { return BB.hasAddressTaken(); }))
    return true;
  SmallVector<const Constant *, 8> Todo;
  SmallPtrSet<const Constant *, 16> Seen;
  for (Instruction &I : instructions(F))
    for (Value *Op : I.operands())
      if (auto *C = dyn_cast<Constant>(Op); C && !isa<GlobalValue>(C))
        Todo.push_back(C);
  while (!Todo.empty()) {
    const Constant *C = Todo.pop_back_val();
    if (isa<BlockAddress>(C))
      return true;
    if (Seen.insert(C).second)
      for (const Use &U : C->operands())
        if (auto *Inner = dyn_cast<Constant>(U.get()); Inner && !isa<GlobalValue>(Inner))
          Todo.push_back(Inner);
  }
  return false;
}

/// The function of N the worker names (its slpvec name): an all-digit name is
/// an unnamed function's slot number (@0), a quoted all-digit one ("0") the
/// named function 0, anything else a plain name (colons and all: @"a:b").
Function *workerFunction(Module &N, const SlotMapping &Slots, StringRef Name) {
  unsigned Slot;
  if (!Name.getAsInteger(10, Slot))
    return dyn_cast_or_null<Function>(Slots.GlobalValues.get(Slot));
  if (Name.size() > 2 && Name.front() == '"' && Name.back() == '"')
    Name = Name.drop_front().drop_back();
  return N.getFunction(Name);
}

/// Move New's body into Old (same module, same type), remapping operands.
void moveBody(Function &Old, Function &New, ValueToValueMapTy &VMap) {
  for (auto [From, To] : zip(New.args(), Old.args()))
    VMap[&From] = &To;
  Old.splice(Old.end(), &New);
  for (BasicBlock &BB : Old)
    for (Instruction &I : BB) {
      RemapInstruction(&I, VMap, RF_IgnoreMissingLocals);
      RemapDbgRecordRange(Old.getParent(), I.getDbgRecordRange(), VMap, RF_IgnoreMissingLocals);
    }
}

/// What the pipeline's instrumentation tells the slpvec pass at OptimizerLast.
struct PipelineState {
  /// LLVM's SLPVectorizerPass was asked to run (and skipped) since slpvec last ran.
  bool SlpAsked = false;
  /// An slpvec pass at OptimizerLast will run the loop unroller (placements slp, split).
  bool Armed = false;
  /// Functions whose loop unroller and transform warnings wait for slpvec.
  SmallPtrSet<const Function *, 32> Deferred;
};
using State = std::shared_ptr<PipelineState>;

/// The function passes slpvec runs after itself.
struct Followers {
  FunctionPassManager FullUnroll;  // unroll-deferred functions, before slpvec (placement
                                   // split): the unroller without partial or runtime unrolling
  FunctionPassManager Cleanup;  // changed functions (-slpvec-cleanup)
  FunctionPassManager Unroll;   // unroll-deferred functions: the pipeline's unroller
  FunctionPassManager Late;     // both (-slpvec-late-cleanup)
};

class SlpvecPass : public PassInfoMixin<SlpvecPass> {
  Followers After;
  State InPipeline;  // null: always run (-passes=slpvec asked for it by name)

public:
  SlpvecPass(Followers After, State InPipeline)
      : After(std::move(After)), InPipeline(std::move(InPipeline)) {}

  PreservedAnalyses run(Module &M, ModuleAnalysisManager &MAM) {
    SmallPtrSet<const Function *, 32> Deferred;
    bool Asked = true;
    if (InPipeline) {
      Asked = std::exchange(InPipeline->SlpAsked, false);
      std::swap(Deferred, InPipeline->Deferred);
    }
    // No SLP here (-fno-slp-vectorize, -O1): none of ours, nothing deferred.
    auto &FAM = MAM.getResult<FunctionAnalysisManagerModuleProxy>(M).getManager();
    for (Function &F : M)  // loops of constant trip count, unrolled as slpvec should see them
      if (Deferred.contains(&F) && !F.isDeclaration() &&
          !After.FullUnroll.run(F, FAM).areAllPreserved())
        After.Late.run(F, FAM);
    std::vector<Function *> Changed;
    if (Asked && any_of(M, [](Function &F) { return !F.isDeclaration(); }))
      if (Failure F = vectorize(M, Changed)) {
        std::string Source = M.getSourceFileName().empty() ? M.getModuleIdentifier()
                                                           : M.getSourceFileName();
        errs() << "slpvec: warning: " << Source << ": " << F.Why
               << "; module left unchanged\n";
        Changed.clear();
      }
    if (Changed.empty() && Deferred.empty())
      return PreservedAnalyses::all();
    SmallPtrSet<const Function *, 32> IsChanged(Changed.begin(), Changed.end());
    for (Function &F : M) {
      bool Vectorized = IsChanged.contains(&F), Waiting = Deferred.contains(&F);
      if (F.isDeclaration() || (!Vectorized && !Waiting))
        continue;
      if (Vectorized) {
        FAM.invalidate(F, PreservedAnalyses::none());
        After.Cleanup.run(F, FAM);
      }
      if (Waiting)
        After.Unroll.run(F, FAM);
      After.Late.run(F, FAM);
    }
    return PreservedAnalyses::none();
  }

  static bool isRequired() { return false; }

private:
  /// Everything that can fail happens before M changes, except the final
  /// verification, which swaps the old bodies back.
  Failure vectorize(Module &M, std::vector<Function *> &Changed) {
    TempFiles Tmp;
    std::string OutPath;
    std::vector<std::string> Names;
    if (Failure F = runWorker(M, Tmp, OutPath, Names))
      return F;
    if (Names.empty())
      return {};
    SMDiagnostic Diag;
    SlotMapping Slots;
    // clang's context discards value names, and the parser refuses named text then.
    LLVMContext &Ctx = M.getContext();
    bool Discards = Ctx.shouldDiscardValueNames();
    Ctx.setDiscardValueNames(false);
    std::unique_ptr<Module> N = parseAssemblyFile(OutPath, Diag, Ctx, &Slots);
    Ctx.setDiscardValueNames(Discards);
    if (!N)
      return {"vectorized module does not parse: " + oneLine(Diag.getMessage())};
    std::string VerifyErr;
    raw_string_ostream VOS(VerifyErr);
    if (verifyModule(*N, &VOS))
      return {"vectorized module does not verify: " + oneLine(VerifyErr)};
    Mapper Map{M, *N};
    if (Failure F = Map.mapGlobals())
      return F;
    std::vector<std::pair<Function *, Function *>> Pairs;  // (old, new)
    for (const std::string &Name : Names) {
      Function *New = workerFunction(*N, Slots, Name);
      Function *Old = New ? dyn_cast_or_null<Function>(Map.VMap.lookup(New)) : nullptr;
      if (!Old || !New || Old->isDeclaration() || New->isDeclaration())
        return {"worker named an unknown function @" + Name};
      if (Old->getFunctionType() != New->getFunctionType())
        return {"@" + Name + " changed type"};
      if (Old->hasOptNone() || usesLabelAddresses(*Old) || usesLabelAddresses(*New))
        continue;  // optnone: no pass may change it (LLVM's SLP skips it too)
      Pairs.push_back({Old, New});
    }
    if (Failure F = Map.mapMetadata(Slots))
      return F;
    // Park each old body in a private stand-in so a failed check can restore it.
    std::vector<Function *> Parked;
    for (auto [Old, New] : Pairs) {
      Function *Park = Function::Create(Old->getFunctionType(), GlobalValue::PrivateLinkage,
                                        "", M);
      if (Old->hasPersonalityFn())  // landingpad and resume need one to verify
        Park->setPersonalityFn(Old->getPersonalityFn());
      for (auto [From, To] : zip(Old->args(), Park->args()))
        From.replaceAllUsesWith(&To);
      Park->splice(Park->end(), Old);
      Parked.push_back(Park);
      moveBody(*Old, *New, Map.VMap);
    }
    std::string Err;
    raw_string_ostream EOS(Err);
    bool Broken = verifyModule(M, &EOS);
    for (size_t I = 0; I < Pairs.size(); ++I) {
      Function *Old = Pairs[I].first, *Park = Parked[I];
      if (Broken) {
        Old->dropAllReferences();  // the new body goes; the parked one comes back
        for (auto [From, To] : zip(Park->args(), Old->args()))
          From.replaceAllUsesWith(&To);
        Old->splice(Old->end(), Park);
      } else {
        Park->dropAllReferences();
      }
      Park->eraseFromParent();
    }
    if (Broken) {
      if (std::getenv("SLPVEC_PLUGIN_DEBUG"))
        errs() << Err;
      return {"vectorized functions do not verify in the module: " + oneLine(Err)};
    }
    for (auto &Pair : Pairs) {
      if (Discards)  // as if the context had built these bodies
        for (BasicBlock &BB : *Pair.first) {
          BB.setName("");
          for (Instruction &I : BB)
            I.setName("");
        }
      Changed.push_back(Pair.first);
    }
    return {};
  }
};

/// A function pipeline parsed from an option (empty, with a warning, if it does not parse).
FunctionPassManager parsedPipeline(PassBuilder &PB, const cl::opt<std::string> &Opt) {
  FunctionPassManager FPM;
  if (Error E = PB.parsePassPipeline(FPM, Opt)) {
    errs() << "slpvec: warning: -" << Opt.ArgStr << ": " << toString(std::move(E))
           << "; no cleanup there after slpvec\n";
    FPM = FunctionPassManager();
  }
  return FPM;
}

/// PassBuilder keeps its PipelineTuningOptions private; the deferred unroller
/// needs two of them (-fno-unroll-loops, -forget-scev-loop-unroll). An
/// explicit template instantiation may name a private member ([temp.spec]),
/// so this reads the field by its declaration in the header built against.
template <typename Tag, typename Tag::Type Member> struct PrivateMember {
  friend typename Tag::Type memberPointer(Tag) { return Member; }
};
struct TuningTag {
  using Type = PipelineTuningOptions PassBuilder::*;
  friend Type memberPointer(TuningTag);
};
template struct PrivateMember<TuningTag, &PassBuilder::PTO>;

/// The pass and what runs after it; ``Level``: the pipeline's, for the
/// deferred unroller (as buildModuleOptimizationPipeline makes it).
SlpvecPass makePass(PassBuilder &PB, State InPipeline, OptimizationLevel Level,
                    bool UnrollFullFirst = false) {
  Followers After;
  After.Cleanup = parsedPipeline(PB, CleanupOpt);
  After.Late = parsedPipeline(PB, LateCleanupOpt);
  const PipelineTuningOptions &Tuning = PB.*memberPointer(TuningTag());
  LoopUnrollOptions Unroll(Level.getSpeedupLevel(), /*OnlyWhenForced=*/!Tuning.LoopUnrolling,
                           Tuning.ForgetAllSCEVInLoopUnroll);
  if (UnrollFullFirst)
    After.FullUnroll.addPass(LoopUnrollPass(LoopUnrollOptions(Unroll)
                                                .setPartial(false)
                                                .setRuntime(false)
                                                .setPeeling(false)
                                                .setProfileBasedPeeling(false)));
  After.Unroll.addPass(LoopUnrollPass(Unroll));
  After.Unroll.addPass(WarnMissedTransformationsPass());
  return SlpvecPass(std::move(After), std::move(InPipeline));
}

/// The passes an slpvec pass at SLP's place runs instead of the pipeline,
/// by their names (PassInfoMixin::name()).
bool deferredToSlpvec(StringRef Pass) {
  return Pass == "LoopUnrollPass" || Pass == "WarnMissedTransformationsPass";
}

void registerCallbacks(PassBuilder &PB) {
  if (policy() == "llvm")
    return;  // LLVM's SLP stays; slpvec does nothing
  PB.registerPipelineParsingCallback(
      [&PB](StringRef Name, ModulePassManager &MPM, ArrayRef<PassBuilder::PipelineElement>) {
        if (Name != "slpvec")
          return false;
        MPM.addPass(makePass(PB, nullptr, OptimizationLevel::O3));
        return true;
      });
  PassInstrumentationCallbacks *PIC = PB.getPassInstrumentationCallbacks();
  if (!PIC)
    return;  // LLVM's SLP cannot be skipped (nor seen) here: leave it in charge
  State Seen = std::make_shared<PipelineState>();
  PIC->registerShouldRunOptionalPassCallback([Seen](StringRef Pass, Any IR) {
    if (Pass == "SLPVectorizerPass") {
      Seen->SlpAsked = true;
      return false;
    }
    // The unroller after SLP, for a function SLP was asked for (so slpvec runs).
    if (Seen->Armed && Seen->SlpAsked && deferredToSlpvec(Pass))
      if (const Function *const *F = any_cast<const Function *>(&IR)) {
        Seen->Deferred.insert(*F);
        return false;
      }
    return true;
  });
  PB.registerOptimizerLastEPCallback(
      [&PB, Seen](ModulePassManager &MPM, OptimizationLevel Level, ThinOrFullLTOPhase Phase) {
        if (Phase == ThinOrFullLTOPhase::ThinLTOPreLink ||
            Phase == ThinOrFullLTOPhase::FullLTOPreLink)
          return;
        std::string Placement = setting(PlacementOpt, "SLPVEC_PLACEMENT");
        if (Placement != "split" && Placement != "slp" && Placement != "last")
          errs() << "slpvec: warning: -slpvec-placement=" << Placement
                 << ": not split, slp or last; using last\n";
        Seen->Armed = Placement == "split" || Placement == "slp";
        MPM.addPass(makePass(PB, Seen, Level, Placement == "split"));
      });
}

} // namespace

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "slpvec", "0.1", registerCallbacks};
}

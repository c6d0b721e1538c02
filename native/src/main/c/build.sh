#!/bin/sh
# Builds libbeyondkernels.so with the system's gcc; run by Maven (native/pom.xml, phase compile).
#   build.sh OUT_DIR TF_LIB_DIR [EXTRA_FLAGS...]
# OUT_DIR receives libbeyondkernels.so; TF_LIB_DIR holds libtensorflow_framework.so.2, unpacked
# by Maven from org.tensorflow:tensorflow-core-native (TF-Java's native jar). The library links
# against it by its soname with no rpath: inside a JVM that uses TF-Java the framework library
# is already loaded (by JavaCPP), and the dynamic loader resolves the dependency to it.
set -eu
out=$1
tf=$2
shift 2
src=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
# -fno-trapping-math lets gcc vectorize the branch-free selects of the kernels; -fopenmp-simd
# enables the `omp simd` reductions only (no OpenMP runtime); -ffp-contract=fast turns a * b + c
# into fused multiply-adds where the CPU has them (ISO C mode turns contraction off). No
# -ffast-math: -inf masks and NaN must keep their IEEE meaning.
${CC:-gcc} -std=c11 -O3 -fPIC -shared -pthread -fvisibility=hidden \
  -fno-trapping-math -fno-math-errno -fopenmp-simd -ffp-contract=fast \
  -Wall -Wextra -Werror -Wno-unused-parameter \
  "$@" \
  "$src/common.c" "$src/plif.c" "$src/softmax.c" "$src/thresholds.c" \
  "$src/sigsoftmax_ce.c" "$src/plif_ce.c" "$src/entmax_bisect.c" \
  -o "$out/libbeyondkernels.so" \
  -L"$tf" -l:libtensorflow_framework.so.2 -lm

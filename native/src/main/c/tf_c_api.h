/*
 * The part of TensorFlow's C API that the kernels use, declared here because TF-Java ships no C
 * headers. Each declaration repeats the type or signature of the TensorFlow 2.18 header named
 * above it (enums: only the values used here). The functions are exported by
 * libtensorflow_framework.so.2 of the TF-Java native jar (org.tensorflow:tensorflow-core-native:
 * 1.1.0, checked with `nm -D --defined-only`), which the library links against (see build.sh).
 */
#ifndef BEYOND_TF_C_API_H_
#define BEYOND_TF_C_API_H_

#include <stddef.h>
#include <stdint.h>

/* ---- tensorflow/c/tf_datatype.h: the values are those of types.proto ---- */
typedef enum TF_DataType {
  TF_FLOAT = 1,
  TF_DOUBLE = 2,
  TF_INT32 = 3,
  TF_INT64 = 9,
} TF_DataType;

/* ---- tensorflow/c/tf_status.h (TF_Code = TSL_Code of tensorflow/tsl/c/tsl_status.h, the values
 * of error_codes.proto) ---- */
typedef struct TSL_Status TF_Status;
typedef enum TSL_Code {
  TF_OK = 0,
  TF_INVALID_ARGUMENT = 3,
  TF_RESOURCE_EXHAUSTED = 8,
  TF_INTERNAL = 13,
} TF_Code;
extern TF_Status* TF_NewStatus(void);
extern void TF_DeleteStatus(TF_Status*);
extern void TF_SetStatus(TF_Status* s, TF_Code code, const char* msg);
extern TF_Code TF_GetCode(const TF_Status* s);
extern const char* TF_Message(const TF_Status* s);

/* ---- tensorflow/c/tf_tensor.h ---- */
typedef struct TF_Tensor TF_Tensor;
extern void TF_DeleteTensor(TF_Tensor*);
extern TF_DataType TF_TensorType(const TF_Tensor*);
extern int TF_NumDims(const TF_Tensor*);
extern int64_t TF_Dim(const TF_Tensor* tensor, int dim_index);
extern void* TF_TensorData(const TF_Tensor*);
extern int64_t TF_TensorElementCount(const TF_Tensor* tensor);

/* ---- tensorflow/c/kernels.h ---- */
typedef struct TF_KernelBuilder TF_KernelBuilder;
typedef struct TF_OpKernelConstruction TF_OpKernelConstruction;
typedef struct TF_OpKernelContext TF_OpKernelContext;
extern TF_KernelBuilder* TF_NewKernelBuilder(
    const char* op_name, const char* device_name,
    void* (*create_func)(TF_OpKernelConstruction*),
    void (*compute_func)(void*, TF_OpKernelContext*), void (*delete_func)(void*));
extern void TF_RegisterKernelBuilder(const char* kernel_name, TF_KernelBuilder* builder,
                                     TF_Status* status);
extern void TF_GetInput(TF_OpKernelContext* ctx, int i, TF_Tensor** tensor, TF_Status* status);
extern void TF_OpKernelConstruction_Failure(TF_OpKernelConstruction* ctx, TF_Status* status);
extern void TF_OpKernelContext_Failure(TF_OpKernelContext* ctx, TF_Status* status);
extern void TF_OpKernelConstruction_GetAttrString(TF_OpKernelConstruction* ctx,
                                                  const char* attr_name, char* val,
                                                  size_t max_length, TF_Status* status);
extern TF_Tensor* TF_AllocateOutput(TF_OpKernelContext* context, int index, TF_DataType dtype,
                                    const int64_t* dims, int num_dims, size_t len,
                                    TF_Status* status);

/* ---- tensorflow/c/ops.h (marked "alpha software" there) ---- */
typedef struct TF_OpDefinitionBuilder TF_OpDefinitionBuilder;
typedef struct TF_ShapeInferenceContext TF_ShapeInferenceContext;
typedef struct TF_ShapeHandle TF_ShapeHandle;
typedef struct TF_DimensionHandle TF_DimensionHandle;
extern TF_OpDefinitionBuilder* TF_NewOpDefinitionBuilder(const char* op_name);
extern void TF_RegisterOpDefinition(TF_OpDefinitionBuilder* builder, TF_Status* status);
extern void TF_OpDefinitionBuilderAddAttr(TF_OpDefinitionBuilder* builder, const char* attr_spec);
extern void TF_OpDefinitionBuilderAddInput(TF_OpDefinitionBuilder* builder,
                                           const char* input_spec);
extern void TF_OpDefinitionBuilderAddOutput(TF_OpDefinitionBuilder* builder,
                                            const char* output_spec);
extern void TF_OpDefinitionBuilderSetShapeInferenceFunction(
    TF_OpDefinitionBuilder* builder,
    void (*shape_inference_func)(TF_ShapeInferenceContext* ctx, TF_Status* status));
extern TF_ShapeHandle* TF_NewShapeHandle(void);
extern void TF_DeleteShapeHandle(TF_ShapeHandle* handle);
extern void TF_ShapeInferenceContextGetInput(TF_ShapeInferenceContext* ctx, int i,
                                             TF_ShapeHandle* handle, TF_Status* status);
extern void TF_ShapeInferenceContextSetOutput(TF_ShapeInferenceContext* ctx, int i,
                                              TF_ShapeHandle* handle, TF_Status* status);
extern int64_t TF_ShapeInferenceContextRank(TF_ShapeInferenceContext* ctx,
                                            TF_ShapeHandle* handle);
extern int TF_ShapeInferenceContextRankKnown(TF_ShapeInferenceContext* ctx,
                                             TF_ShapeHandle* handle);
extern void TF_ShapeInferenceContextSubshape(TF_ShapeInferenceContext* ctx,
                                             TF_ShapeHandle* shape_handle, int64_t start,
                                             int64_t end, TF_ShapeHandle* result,
                                             TF_Status* status);
extern TF_DimensionHandle* TF_NewDimensionHandle(void);
extern void TF_DeleteDimensionHandle(TF_DimensionHandle* handle);
extern void TF_ShapeInferenceContextDim(TF_ShapeInferenceContext* ctx,
                                        TF_ShapeHandle* shape_handle, int64_t i,
                                        TF_DimensionHandle* result);
extern int TF_DimensionHandleValueKnown(TF_DimensionHandle* dim_handle);
extern int64_t TF_DimensionHandleValue(TF_DimensionHandle* dim_handle);

#endif /* BEYOND_TF_C_API_H_ */

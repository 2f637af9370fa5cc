#pragma once
// Elementwise and per-example kernels of the MLP: bias + ReLU + inverted dropout, its backward,
// softmax cross-entropy (mean over the batch), accuracy, and the minibatch gather from the data set
// kept on the device.
#include <cuda_runtime_api.h>

#include <cstdint>

namespace meprop::cuda {

// In place on h (batch x n), which holds x W^T: h = relu(h + b); then, when dropRate > 0, inverted
// dropout: each element is zeroed with probability dropRate, the rest scaled by 1 / (1 - dropRate).
// The mask is a hash of (seed, element index): a seed fixes it, no state, nothing stored.
void biasReluDropout(float* h, int batch, int n, const float* b, float dropRate, std::uint64_t seed, cudaStream_t stream);

// Backward of biasReluDropout given its output `out`: dh = out > 0 ? dout / (1 - dropRate) : 0
// (an element is positive iff ReLU passed it and dropout kept it). In place on dout. With dropRate 0
// it is the ReLU backward: dout = out > 0 ? dout : 0.
void reluDropoutBackward(const float* out, float* dout, std::size_t count, float dropRate, cudaStream_t stream);

// x = max(x, 0) (count elements), in place.
void reluForward(float* x, std::size_t count, cudaStream_t stream);

// Inverted dropout of count elements: mask[i] = 0 with probability dropRate, else 1 / (1 - dropRate),
// from the hash of (seed, i) that biasReluDropout uses; x[i] *= mask[i]. Requires dropRate < 1.
void dropoutForward(float* x, float* mask, std::size_t count, float dropRate, std::uint64_t seed, cudaStream_t stream);

// Softmax cross-entropy summed over the batch: for logits z (batch x classes) and labels y,
//   loss (+)= sum_b (logsumexp(z_b) - z_b[y_b]),  dz = gradScale * (softmax(z) - onehot(y)).
// Writes dz (may be null: the loss alone; aliases nothing) and *loss (one double on the device;
// added to when accumulate). A row whose label is outside [0, classes) is skipped: no loss, zero
// gradient. One block, fixed order. batch 0: *loss = 0 (unchanged when accumulate).
void softmaxCrossEntropy(const float* z, const int* labels, int batch, int classes, float* dz, double* loss, bool accumulate,
                         cudaStream_t stream, float gradScale);

// *correct += number of rows whose argmax (lowest index among equals) equals the label.
void countCorrect(const float* z, const int* labels, int batch, int classes, int* correct, cudaStream_t stream);

// x[i, :] = data[order[i], :] and y[i] = labels[order[i]] for i < count (order: device indices).
void gatherExamples(const float* data, const int* labels, int features, const int* order, int count, float* x, int* y,
                    cudaStream_t stream);
// dst[i, :] = src[order[i], :] for i < count (int rows of `cols`; order: device indices).
void gatherIndexRows(const int* src, int cols, const int* order, int count, int* dst, cudaStream_t stream);

// Synthetic data for benchmarks: v[i] = uniform in [lo, hi) from a hash of (seed, i).
void fillUniform(float* v, std::size_t count, float lo, float hi, std::uint64_t seed, cudaStream_t stream);

}  // namespace meprop::cuda

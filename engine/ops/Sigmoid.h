#pragma once
// The logistic sigmoid of the LSTM gates on the host, as Eigen evaluates it in both places that
// need it (backend/CpuLstm.cpp's recurrence, layers/Lstm.cpp's batched inference), so that they agree
// bit for bit.

namespace meprop {

// seg = sigmoid(seg) = (tanh(seg/2) + 1) / 2: one vectorised tanh instead of exp and a division.
template <typename Seg>
void sigmoidInPlace(Seg&& seg)
{
    seg.array() = 0.5f * ((0.5f * seg.array()).tanh() + 1.0f);
}

}  // namespace meprop

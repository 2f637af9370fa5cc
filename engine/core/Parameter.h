#pragma once
// A trainable tensor with its gradient. meProp leaves most rows of a weight gradient at zero; the
// layer that fills `grad` records which rows it touched so that clearing the gradient costs
// O(touched rows) instead of O(all rows) and a row-sparse optimizer can skip the rest.
// The row bookkeeping is the backend's (backend/Backend.h): on the CPU the row list below, on the
// GPU `touched`, one byte per row in device memory (the row list stays empty there).
#include "core/Tensor.h"

#include <algorithm>
#include <string>
#include <vector>

namespace meprop {

struct Parameter {
    std::string name;
    Tensor value;
    Tensor grad;
    // false: any row of grad may be nonzero. true: only the rows listed in `rows` are nonzero.
    bool rowSparse = false;
    std::vector<int> rows;
    std::vector<char> rowMark;  // rowMark[r] != 0 iff r is in `rows`
    MaskTensor touched;         // GPU: touched(0, r) != 0 iff row r of grad may be nonzero
    bool gradDense = false;     // GPU: a dense gradient was added since the last clearing

    // Record that row r of grad may now be nonzero (no effect on a dense gradient).
    void touchRow(int r)
    {
        if (!rowSparse) return;
        if (rowMark.size() != static_cast<std::size_t>(grad.rows())) rowMark.assign(static_cast<std::size_t>(grad.rows()), 0);
        if (!rowMark[static_cast<std::size_t>(r)]) {
            rowMark[static_cast<std::size_t>(r)] = 1;
            rows.push_back(r);
        }
    }
    // Record that any element of grad may now be nonzero.
    void touchAll() { rowSparse = false; }

    Parameter() = default;
    Parameter(std::string n, int r, int c) : name(std::move(n)), value(Matrix::Zero(r, c)), grad(Matrix::Zero(r, c)) {}

    std::size_t size() const { return static_cast<std::size_t>(value.size()); }

    // Clear the gradient (only the rows that can be nonzero) and mark it dense-empty.
    void zeroGrad()
    {
        if (rowSparse) {
            for (int r : rows) grad.row(r).setZero();
        } else {
            grad.setZero();
        }
        markGradZeroed();
    }
    // The bookkeeping half of zeroGrad, for a caller that has itself set every element of grad
    // that could be nonzero (the rows in `rows`, or all of it when dense) to zero: an optimizer
    // that clears the gradient in its update pass (optim/Optimizer.h, stepAndZeroGrad).
    void markGradZeroed()
    {
        if (rowSparse) {
            for (int r : rows) rowMark[static_cast<std::size_t>(r)] = 0;
        } else {
            std::fill(rowMark.begin(), rowMark.end(), 0);
        }
        rowSparse = true;  // all zero now: the empty row list describes it exactly
        rows.clear();
    }
};

}  // namespace meprop

#pragma once
// A lookup table: row id of E (rows x dim) is the vector of symbol id.
//
// forward writes E[ids[t]] into columns [col, col + dim) of row t of x; backward adds the same
// columns of dx back into the rows that were read (an id used twice gets both), touching only those
// rows of the gradient (Parameter::touchRow), so clearing it costs O(sentence), not O(vocabulary).
// Throws ShapeError for an id outside [0, rows) or a column block outside x.
// Runs on the backend it was given (the CPU's by default; embeddingForward/embeddingBackward of
// backend/Backend.h); lookup() reads the host values (a GPU table needs downloadValues() first).
#include "backend/Backend.h"
#include "core/Parameter.h"
#include "core/Rng.h"
#include "core/Tensor.h"
#include "io/CheckpointStream.h"

#include <string>
#include <vector>

namespace meprop {

class Embedding {
public:
    // Values uniform in [-scale, scale].
    Embedding(int rows, int dim, Rng& rng, const std::string& name = "embedding", float scale = 0.1f,
              Backend& backend = cpuBackend());

    int rows() const { return static_cast<int>(m_e.value.rows()); }
    int dim() const { return static_cast<int>(m_e.value.cols()); }

    // x must have ids.size() rows and at least col + dim() columns.
    void forward(const std::vector<int>& ids, Tensor& x, int col);
    void backward(const std::vector<int>& ids, const Tensor& dx, int col);
    // forward() on the host values, for host-side inference.
    void lookup(const std::vector<int>& ids, Matrix& x, int col) const;
    void downloadValues() const { m_be->download(m_e.value); }
    void zeroGrad() { m_be->zeroGrad(m_e); }

    Parameter& table() { return m_e; }
    const Parameter& table() const { return m_e; }

    // Checkpoint state: the table (same shape needed to load; clears the gradient).
    void save(CheckpointWriter& w) const
    {
        downloadValues();
        w.parameter(m_e);
    }
    void load(CheckpointReader& r)
    {
        r.parameterInto(m_e);
        m_be->upload(m_e.value);
        zeroGrad();
    }

private:
    void check(const std::vector<int>& ids, const Matrix& x, int col) const;
    // ids as a 1 x T tensor of the backend (uploaded).
    const IndexTensor& idsTensor(const std::vector<int>& ids);
    Backend* m_be;
    mutable Parameter m_e;  // mutable: save() refreshes the host mirror of a GPU table
    IndexTensor m_ids;
};

}  // namespace meprop

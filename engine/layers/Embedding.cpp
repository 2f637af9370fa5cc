#include "layers/Embedding.h"

#include "core/Error.h"

namespace meprop {

Embedding::Embedding(int rows, int dim, Rng& rng, const std::string& name, float scale, Backend& backend)
    : m_be(&backend), m_e(name, std::max(rows, 1), std::max(dim, 1))
{
    if (rows < 1 || dim < 1) throw ShapeError(name + ": table sizes must be positive");
    for (Eigen::Index i = 0; i < m_e.value.size(); ++i) m_e.value.data()[i] = rng.uniform(-scale, scale);
    m_be->upload(m_e.value);
    m_be->upload(m_e.grad);
    zeroGrad();
}

void Embedding::check(const std::vector<int>& ids, const Matrix& x, int col) const
{
    if (x.rows() != static_cast<Eigen::Index>(ids.size()) || col < 0 || col + dim() > x.cols())
        throw ShapeError(m_e.name + ": a " + std::to_string(x.rows()) + "x" + std::to_string(x.cols()) +
                         " matrix has no room for " + std::to_string(ids.size()) + " rows of " + std::to_string(dim()) +
                         " columns at column " + std::to_string(col));
    for (int id : ids)
        if (id < 0 || id >= rows())
            throw ShapeError(m_e.name + ": id " + std::to_string(id) + " outside [0, " + std::to_string(rows()) + ")");
}

const IndexTensor& Embedding::idsTensor(const std::vector<int>& ids)
{
    m_ids.resize(static_cast<Eigen::Index>(ids.size()), 1);  // row t: the id of x's row t
    std::copy(ids.begin(), ids.end(), m_ids.data());
    m_be->upload(m_ids);
    return m_ids;
}

void Embedding::lookup(const std::vector<int>& ids, Matrix& x, int col) const
{
    check(ids, x, col);
    for (std::size_t t = 0; t < ids.size(); ++t)
        x.block(static_cast<Eigen::Index>(t), col, 1, dim()) = m_e.value.row(ids[t]);
}

void Embedding::forward(const std::vector<int>& ids, Tensor& x, int col)
{
    check(ids, x, col);
    m_be->embeddingForward(m_e.value, idsTensor(ids), 0, 1, x, col);
}

void Embedding::backward(const std::vector<int>& ids, const Tensor& dx, int col)
{
    check(ids, dx, col);
    m_be->embeddingBackward(dx, idsTensor(ids), 0, 1, col, m_e);
}

}  // namespace meprop

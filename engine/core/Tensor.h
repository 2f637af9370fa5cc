#pragma once
// Dense float tensors of the engine: Eigen row-major matrices. A minibatch is a Matrix of shape
// (batch x features), one example per row; a weight matrix W of a layer y = W x + b has shape
// (out x in), so the rows of W are the output neurons meProp selects.
#include <Eigen/Core>
#include <cstdint>
#include <vector>

namespace meprop {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::VectorXf;
using RowVector = Eigen::RowVectorXf;
using IndexList = std::vector<int>;

}  // namespace meprop

#include "tasks/LossLog.h"

#include <stdexcept>

namespace meprop {

LossLog::LossLog(Backend& backend) : m_be(&backend)
{
    m_be->resize(m_sums, 1, kCapacity);
}

void LossLog::begin(long step)
{
    m_be->beginStep(step);
    // A batch begun and not ended threw on its way (e.g. a non-finite gradient on the CPU): its
    // slot is taken again.
    if (!m_open && static_cast<Eigen::Index>(m_divisors.size()) == kCapacity) drain();
    m_next = static_cast<Eigen::Index>(m_divisors.size());
    m_open = true;
}

void LossLog::end(double divisor)
{
    if (!m_open) throw std::logic_error("LossLog: end without begin");
    m_divisors.push_back(divisor > 0.0 ? divisor : 1.0);
    m_open = false;
}

void LossLog::drain()
{
    const std::size_t n = m_divisors.size();
    if (n == 0) return;
    m_read.resize(n);
    // Clear the record before reading: a read that reports a non-finite gradient leaves no slot
    // behind to be reported twice.
    std::vector<double> divisors;
    divisors.swap(m_divisors);
    m_be->readScalars(m_sums, static_cast<Eigen::Index>(n), m_read.data());
    for (std::size_t i = 0; i < n; ++i) m_ready.push_back(m_read[i] / divisors[i]);
}

std::vector<double> LossLog::take()
{
    drain();
    std::vector<double> out;
    out.swap(m_ready);
    return out;
}

}  // namespace meprop

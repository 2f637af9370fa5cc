#include "models/ArcStandard.h"

#include "core/Error.h"

#include <algorithm>
#include <stdexcept>

namespace meprop {

TransitionKind transitionKind(int id, int labels)
{
    if (id == 0) return TransitionKind::Shift;
    return id <= labels ? TransitionKind::Left : TransitionKind::Right;
}

int transitionLabel(int id, int labels)
{
    if (id == 0) return -1;
    return id <= labels ? id - 1 : id - 1 - labels;
}

ArcStandardState::ArcStandardState(int n)
    : m_n(n), m_next(1), m_stack{0}, m_head(static_cast<std::size_t>(n) + 1, -1), m_label(static_cast<std::size_t>(n) + 1, -1),
      m_l1(static_cast<std::size_t>(n) + 1, -1), m_l2(static_cast<std::size_t>(n) + 1, -1), m_r1(static_cast<std::size_t>(n) + 1, -1),
      m_r2(static_cast<std::size_t>(n) + 1, -1)
{
    m_stack.reserve(static_cast<std::size_t>(n) + 1);
}

int ArcStandardState::stack(int i) const
{
    const int s = static_cast<int>(m_stack.size());
    return i < s ? m_stack[static_cast<std::size_t>(s - 1 - i)] : -1;
}

int ArcStandardState::buffer(int i) const
{
    const int t = m_next + i;
    return t <= m_n ? t : -1;
}

int ArcStandardState::leftChild(int t, int i) const
{
    if (t < 0) return -1;
    return i == 1 ? m_l1[static_cast<std::size_t>(t)] : m_l2[static_cast<std::size_t>(t)];
}

int ArcStandardState::rightChild(int t, int i) const
{
    if (t < 0) return -1;
    return i == 1 ? m_r1[static_cast<std::size_t>(t)] : m_r2[static_cast<std::size_t>(t)];
}

bool ArcStandardState::canApply(int transition, int labels) const
{
    if (transition < 0 || transition >= numTransitions(labels)) return false;
    switch (transitionKind(transition, labels)) {
    case TransitionKind::Shift: return m_next <= m_n;
    case TransitionKind::Left: return m_stack.size() > 2;
    case TransitionKind::Right: return m_stack.size() > 2 || (m_stack.size() == 2 && m_next > m_n);
    }
    return false;
}

void ArcStandardState::apply(int transition, int labels)
{
    if (!canApply(transition, labels)) throw std::logic_error("ArcStandardState::apply: transition not applicable");
    const TransitionKind kind = transitionKind(transition, labels);
    if (kind == TransitionKind::Shift) {
        m_stack.push_back(m_next++);
        return;
    }
    const int s1 = m_stack.back();
    const int s2 = m_stack[m_stack.size() - 2];
    const int lab = transitionLabel(transition, labels);
    if (kind == TransitionKind::Left) {
        const auto h = static_cast<std::size_t>(s1);
        m_head[static_cast<std::size_t>(s2)] = s1;
        m_label[static_cast<std::size_t>(s2)] = lab;
        m_l2[h] = m_l1[h];
        m_l1[h] = s2;
        m_stack.erase(m_stack.end() - 2);
    } else {
        const auto h = static_cast<std::size_t>(s2);
        m_head[static_cast<std::size_t>(s1)] = s2;
        m_label[static_cast<std::size_t>(s1)] = lab;
        m_r2[h] = m_r1[h];
        m_r1[h] = s1;
        m_stack.pop_back();
    }
}

void validateTree(const std::vector<int>& heads, const std::string& where)
{
    const int n = static_cast<int>(heads.size());
    int roots = 0;
    for (int i = 0; i < n; ++i) {
        const int h = heads[static_cast<std::size_t>(i)];
        if (h < 0 || h > n)
            throw DatasetError(where + ": token " + std::to_string(i + 1) + " has HEAD " + (h < 0 ? std::string("_") : std::to_string(h)) +
                               ", expected a number in 0.." + std::to_string(n));
        if (h == i + 1) throw DatasetError(where + ": token " + std::to_string(i + 1) + " is its own head (a cycle)");
        if (h == 0) ++roots;
    }
    if (roots == 0) throw DatasetError(where + ": no token has HEAD 0, expected exactly one root");
    if (roots > 1) throw DatasetError(where + ": " + std::to_string(roots) + " tokens have HEAD 0, expected exactly one root");
    // Walk up from every token; a walk longer than n steps is a cycle.
    std::vector<char> reachesRoot(static_cast<std::size_t>(n) + 1, 0);
    reachesRoot[0] = 1;
    std::vector<int> path;
    for (int i = 1; i <= n; ++i) {
        path.clear();
        int t = i;
        while (!reachesRoot[static_cast<std::size_t>(t)]) {
            path.push_back(t);
            if (static_cast<int>(path.size()) > n)
                throw DatasetError(where + ": token " + std::to_string(i) + " is on a cycle of heads, expected a tree");
            t = heads[static_cast<std::size_t>(t - 1)];
        }
        for (int p : path) reachesRoot[static_cast<std::size_t>(p)] = 1;
    }
}

bool isProjective(const std::vector<int>& heads)
{
    const int n = static_cast<int>(heads.size());
    for (int i = 1; i <= n; ++i) {
        const int a1 = std::min(i, heads[static_cast<std::size_t>(i - 1)]);
        const int b1 = std::max(i, heads[static_cast<std::size_t>(i - 1)]);
        for (int j = 1; j <= n; ++j) {
            const int a2 = std::min(j, heads[static_cast<std::size_t>(j - 1)]);
            const int b2 = std::max(j, heads[static_cast<std::size_t>(j - 1)]);
            if (a1 < a2 && a2 < b1 && b1 < b2) return false;
        }
    }
    return true;
}

int oracleTransition(const ArcStandardState& state, const GoldTree& gold, int labels)
{
    if (state.stackSize() >= 2) {
        const int s1 = state.stack(0);
        const int s2 = state.stack(1);
        if (s2 > 0 && gold.head[static_cast<std::size_t>(s2 - 1)] == s1) return leftId(gold.label[static_cast<std::size_t>(s2 - 1)]);
        if (gold.head[static_cast<std::size_t>(s1 - 1)] == s2) {
            bool complete = true;
            for (int t = 1; t <= state.size() && complete; ++t)
                if (gold.head[static_cast<std::size_t>(t - 1)] == s1 && state.head(t) < 0) complete = false;
            if (complete && state.canApply(rightId(gold.label[static_cast<std::size_t>(s1 - 1)], labels), labels))
                return rightId(gold.label[static_cast<std::size_t>(s1 - 1)], labels);
        }
    }
    return state.bufferSize() > 0 ? shiftId() : -1;
}

std::vector<int> oracleSequence(const GoldTree& gold, int labels)
{
    const int n = static_cast<int>(gold.head.size());
    std::vector<int> seq;
    if (!isProjective(gold.head)) return seq;
    seq.reserve(2 * static_cast<std::size_t>(n));
    ArcStandardState state(n);
    while (!state.terminal()) {
        const int t = oracleTransition(state, gold, labels);
        if (t < 0) return {};
        state.apply(t, labels);
        seq.push_back(t);
    }
    for (int i = 1; i <= n; ++i)
        if (state.head(i) != gold.head[static_cast<std::size_t>(i - 1)] || state.label(i) != gold.label[static_cast<std::size_t>(i - 1)])
            return {};
    return seq;
}

}  // namespace meprop

#pragma once
// The arc-standard transition system of Chen and Manning (2014) with its static oracle.
//
// Tokens are numbered 1..n, 0 is the artificial ROOT. A state holds a stack (initially [ROOT]), a
// buffer (initially 1..n) and the arcs built so far. Transitions, encoded as one integer in
// [0, 2L+1) for L dependency labels:
//   0          SHIFT        move the buffer front onto the stack
//   1 + l      LEFT-ARC(l)  s1 -> s2 with label l, pop s2        (s2 != ROOT)
//   1 + L + l  RIGHT-ARC(l) s2 -> s1 with label l, pop s1        (s2 == ROOT only when the buffer is empty)
// The final state has an empty buffer and only ROOT on the stack: every token then has a head and
// ROOT has exactly one dependent.
#include <string>
#include <vector>

namespace meprop {

enum class TransitionKind { Shift, Left, Right };

// Transition ids <-> (kind, label) for `labels` dependency labels.
inline int numTransitions(int labels) { return 2 * labels + 1; }
inline int shiftId() { return 0; }
inline int leftId(int label) { return 1 + label; }
inline int rightId(int label, int labels) { return 1 + labels + label; }
TransitionKind transitionKind(int id, int labels);
int transitionLabel(int id, int labels);  // -1 for SHIFT

class ArcStandardState {
public:
    // A start state for a sentence of n tokens. n >= 0.
    explicit ArcStandardState(int n);

    int size() const { return m_n; }
    int stackSize() const { return static_cast<int>(m_stack.size()); }
    int bufferSize() const { return m_n + 1 - m_next; }
    // i-th element from the top of the stack (0 = s1), or -1 when the stack is shorter.
    int stack(int i) const;
    // i-th element of the buffer (0 = b1), or -1 when the buffer is shorter.
    int buffer(int i) const;
    // Head and label of token t (1..n), -1 while unattached.
    int head(int t) const { return m_head[static_cast<std::size_t>(t)]; }
    int label(int t) const { return m_label[static_cast<std::size_t>(t)]; }
    // i-th leftmost (i = 1, 2) dependent of token t to its left / i-th rightmost dependent to its
    // right, or -1. t may be 0 (ROOT) or -1 (then -1).
    int leftChild(int t, int i) const;
    int rightChild(int t, int i) const;

    bool terminal() const { return m_next > m_n && m_stack.size() == 1; }
    bool canApply(int transition, int labels) const;
    // Applies a transition; throws std::logic_error when !canApply (a caller bug, not bad input).
    void apply(int transition, int labels);

private:
    int m_n;
    int m_next;  // first buffer token; m_n + 1 when the buffer is empty
    std::vector<int> m_stack;
    std::vector<int> m_head, m_label;
    // Per token (index 0 = ROOT): two leftmost left dependents and two rightmost right dependents.
    // Arc-standard adds left dependents from the nearest outwards and right dependents from left to
    // right, so the newest one is always the outermost.
    std::vector<int> m_l1, m_l2, m_r1, m_r2;
};

// A gold dependency tree: head[i] and label[i] of token i+1 (heads 0..n, labels 0..L-1).
struct GoldTree {
    std::vector<int> head;
    std::vector<int> label;
};

// Checks that `heads` (heads[i] is the head of token i+1) forms a tree rooted at 0: every head in
// [0, n], exactly one token attached to 0, no cycles. Throws DatasetError
// "<where>: <what is wrong>" otherwise, e.g. "train.conllu sentence s-12 (line 40): token 3 ...".
void validateTree(const std::vector<int>& heads, const std::string& where);

// True when no two arcs cross (arcs drawn above the sentence, ROOT at position 0).
bool isProjective(const std::vector<int>& heads);

// The static oracle's transition for `state` given a projective gold tree, or -1 when no
// transition leads to the gold tree (the tree is not projective).
// O(n) per call.
int oracleTransition(const ArcStandardState& state, const GoldTree& gold, int labels);

// The full oracle sequence of a projective gold tree (2n transitions); empty when the tree is not
// projective.
std::vector<int> oracleSequence(const GoldTree& gold, int labels);

}  // namespace meprop

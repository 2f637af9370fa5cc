#include "ops/TopK.h"

#include "core/Error.h"
#include "ops/RandomK.h"

#include <algorithm>
#ifdef __AVX2__
#include <immintrin.h>
#endif
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <string>

namespace meprop {

namespace {

// The strict total order of TopK.h (magnitude key, then lower index first) makes the kept set
// unique for every input, NaN included. Returns false when some v[i] is not finite: the
// non-finite keys are the largest, so one of them is then among the k kept.
bool topKByIndexSelect(const float* v, int n, int k, int* out, std::vector<int>& scratch)
{
    scratch.resize(static_cast<std::size_t>(n));
    std::iota(scratch.begin(), scratch.end(), 0);
    auto before = [v](int a, int b) {
        const std::uint32_t ka = magnitudeKey(v[a]), kb = magnitudeKey(v[b]);
        return ka > kb || (ka == kb && a < b);
    };
    std::nth_element(scratch.begin(), scratch.begin() + (k - 1), scratch.end(), before);
    std::copy(scratch.begin(), scratch.begin() + k, out);
    std::sort(out, out + k);
    bool finite = true;
    for (int j = 0; j < k; ++j) finite &= magnitudeKey(v[out[j]]) < kInfinityKey;
    return finite;
}

// The same set for k << n without selecting over all n indices (an indirect nth_element over 500
// entries costs about 1 us, as much as the sparse matrix work it enables): a threshold t from a
// sample of 64 magnitudes, taken at a rank where about 2k of the n entries should reach it; the
// entries with |v| >= t, kept in index order, hold the top k whenever there are at least k of
// them; the k-th largest magnitude T among them decides, ties at T going to the lower indices as
// above. Returns false (and writes garbage) when the sample was unlucky: the caller falls back.
//
// topKAboveThreshold: the top k among the entries with !(|v| < t), t finite. Returns false when fewer
// than k or more than maxCandidates entries reach t, or when one of them is NaN or infinite (the
// caller falls back to the index select, whose order covers them); writes the k-th largest
// magnitude to *kth on success. Success also proves every v[i] finite (the pass checks them all,
// one more comparison per eight values). Since NaN fails every ordered comparison, the unordered
// "not less than" sends it to the candidates: it is never dropped.
bool topKAboveThreshold(const float* v, int n, int k, float t, int maxCandidates, int* out, std::vector<int>& scratch,
                        float* kth)
{
    if (!(std::fabs(t) <= std::numeric_limits<float>::max())) return false;  // NaN or infinite
    scratch.resize(static_cast<std::size_t>(n));
    thread_local std::vector<float> mag __attribute__((tls_model("initial-exec")));
    mag.resize(static_cast<std::size_t>(2 * n));
    int* cand = scratch.data();
    float* cv = mag.data();
    int c = 0, i = 0;
#ifdef __AVX2__
    // Eight magnitudes per compare; only the few entries that pass are touched one by one.
    const __m256 signBit = _mm256_set1_ps(-0.0f);
    const __m256 threshold = _mm256_set1_ps(t);
    const __m256 infinity = _mm256_set1_ps(std::numeric_limits<float>::infinity());
    __m256 nonFinite = _mm256_setzero_ps();
    for (; i + 8 <= n; i += 8) {
        const __m256 a = _mm256_andnot_ps(signBit, _mm256_loadu_ps(v + i));
        nonFinite = _mm256_or_ps(nonFinite, _mm256_cmp_ps(a, infinity, _CMP_NLT_UQ));  // NaN or infinite
        unsigned mask = static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(a, threshold, _CMP_NLT_UQ)));
        while (mask != 0) {
            const int j = i + __builtin_ctz(mask);
            cand[c] = j;
            cv[c] = std::fabs(v[j]);
            ++c;
            mask &= mask - 1;
        }
    }
#endif
    bool bad = false;
#ifdef __AVX2__
    bad = _mm256_movemask_ps(nonFinite) != 0;
#endif
    for (; i < n; ++i) {
        const float a = std::fabs(v[i]);
        cand[c] = i;
        cv[c] = a;
        c += a < t ? 0 : 1;  // branch-free compaction; NaN counts
        bad |= !(a < std::numeric_limits<float>::infinity());
    }
    if (bad || c < k || c > maxCandidates) return false;

    float* work = cv + c;
    std::copy(cv, cv + c, work);
    std::nth_element(work, work + (k - 1), work + c, std::greater<float>());
    const float t_k = work[k - 1];
    int above = 0;
    for (int j = 0; j < c; ++j) above += cv[j] > t_k ? 1 : 0;
    int ties = k - above, m = 0;
    for (int j = 0; j < c && m < k; ++j) {
        if (cv[j] > t_k) {
            out[m++] = cand[j];
        } else if (cv[j] == t_k && ties > 0) {
            out[m++] = cand[j];
            --ties;
        }
    }
    *kth = t_k;
    return m == k;
}

bool topKBySampledThreshold(const float* v, int n, int k, int* out, std::vector<int>& scratch, float* kth)
{
    constexpr int kSample = 64;
    // Keys, not floats: a NaN in the sample must not break nth_element's ordering.
    std::uint32_t sample[kSample];
    const int stride = n / kSample;
    for (int j = 0; j < kSample; ++j) sample[j] = magnitudeKey(v[j * stride]);
    const int rank = std::min(kSample - 1, (2 * k * kSample + n - 1) / n + 2);
    std::nth_element(sample, sample + rank, sample + kSample, std::greater<std::uint32_t>());
    if (sample[rank] >= kInfinityKey) return false;
    return topKAboveThreshold(v, n, k, std::bit_cast<float>(sample[rank]), n, out, scratch, kth);
}

bool sampledPathApplies(int n, int k) { return n >= 256 && 8 * k <= n; }

// The largest k of meProp's small selections (the LSTM's gate blocks, narrow layers) that go
// through one pass keeping a sorted list of the best k, which beats nth_element there: almost
// every element is rejected by a single comparison with the k-th best so far.
constexpr int kInsertionMaxK = 32;

// The k largest |v[i]| (k <= kInsertionMaxK, k < n) in the order of TopK.h. The comparison with
// the k-th best is written so that a NaN fails it; a NaN then sends the whole selection to the
// index select, whose order covers it (rare: the run stops on it), and infinities sort as usual.
bool topKByInsertion(const float* v, int n, int k, int* out, std::vector<int>& scratch)
{
    float best[kInsertionMaxK];
    int idx[kInsertionMaxK];
    int filled = 0;
    bool nan = false;
    for (int i = 0; i < n; ++i) {
        const float a = std::fabs(v[i]);
        if (filled == k && a <= best[k - 1]) continue;  // equal magnitude: the lower index stays
        if (a != a) {
            nan = true;
            continue;
        }
        int p = filled < k ? filled++ : k - 1;
        while (p > 0 && best[p - 1] < a) {
            best[p] = best[p - 1];
            idx[p] = idx[p - 1];
            --p;
        }
        best[p] = a;
        idx[p] = i;
    }
    if (nan) return topKByIndexSelect(v, n, k, out, scratch);
    std::copy(idx, idx + k, out);
    std::sort(out, out + k);
    return best[0] < std::numeric_limits<float>::infinity();  // an infinity would be the largest
}

}  // namespace

bool topKIndices(const float* v, int n, int k, int* out, std::vector<int>& scratch)
{
    if (k >= n) {
        std::iota(out, out + n, 0);
        return allFinite(v, static_cast<std::size_t>(n));
    }
    if (k <= kInsertionMaxK) return topKByInsertion(v, n, k, out, scratch);
    float kth = 0.0f;
    if (sampledPathApplies(n, k) && topKBySampledThreshold(v, n, k, out, scratch, &kth)) return true;
    return topKByIndexSelect(v, n, k, out, scratch);
}

void selectComponents(const Matrix& dy, BackpropMode mode, int k, Rng& rng, Selection& sel)
{
    const int batch = static_cast<int>(dy.rows());
    const int n = static_cast<int>(dy.cols());
    sel.mode = mode;
    sel.batch = batch;
    sel.n = n;
    sel.finite = true;
    if (mode == BackpropMode::Dense) {
        sel.k = n;
        sel.indices.clear();
        sel.finite = allFinite(dy.data(), static_cast<std::size_t>(dy.size()));
        return;
    }
    if (k < 1 || k > n)
        throw ConfigError("k: expected 1 <= k <= " + std::to_string(n) + " (layer width), got " + std::to_string(k));
    sel.k = k;
    thread_local std::vector<int> scratch __attribute__((tls_model("initial-exec")));
    switch (mode) {
    case BackpropMode::TopK:
        sel.indices.resize(static_cast<std::size_t>(batch) * k);
        if (!sampledPathApplies(n, k)) {
            for (int b = 0; b < batch; ++b)
                sel.finite &= topKIndices(dy.row(b).data(), n, k, sel.indices.data() + static_cast<std::size_t>(b) * k, scratch);
            break;
        }
        {
            // The examples of a minibatch have gradients of similar scale: a little below the
            // previous example's k-th magnitude is a threshold that usually keeps 1.5k to 3k
            // entries, without sampling. When it keeps too few or too many, sample as usual.
            float kth = -1.0f;
            for (int b = 0; b < batch; ++b) {
                const float* v = dy.row(b).data();
                int* out = sel.indices.data() + static_cast<std::size_t>(b) * k;
                const bool hinted = kth > 0.0f && topKAboveThreshold(v, n, k, 0.8f * kth, 6 * k, out, scratch, &kth);
                if (!hinted && !topKBySampledThreshold(v, n, k, out, scratch, &kth)) {
                    sel.finite &= topKByIndexSelect(v, n, k, out, scratch);
                    kth = -1.0f;
                }
            }
        }
        break;
    case BackpropMode::Unified: {
        thread_local Vector score __attribute__((tls_model("initial-exec")));
        score = dy.cwiseAbs().colwise().sum().transpose();
        sel.indices.resize(static_cast<std::size_t>(k));
        sel.finite = topKIndices(score.data(), n, k, sel.indices.data(), scratch);
        break;
    }
    case BackpropMode::Random: {
        sel.indices.resize(static_cast<std::size_t>(batch) * k);
        const std::uint64_t key = rng.bits();
        for (int b = 0; b < batch; ++b) randomKIndices(key, static_cast<std::uint64_t>(b), n, k, sel.indices.data() + static_cast<std::size_t>(b) * k);
        // The draws do not read dy: one pass over it (the kernels read only the kept entries).
        sel.finite = allFinite(dy.data(), static_cast<std::size_t>(dy.size()));
        break;
    }
    case BackpropMode::Dense: break;
    }
}

Matrix maskedGradient(const Matrix& dy, const Selection& sel)
{
    if (sel.mode == BackpropMode::Dense) return dy;
    Matrix masked = Matrix::Zero(dy.rows(), dy.cols());
    for (int b = 0; b < sel.batch; ++b) {
        const int* idx = sel.row(b);
        for (int i = 0; i < sel.k; ++i) masked(b, idx[i]) = dy(b, idx[i]);
    }
    return masked;
}

}  // namespace meprop

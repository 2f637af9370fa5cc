// Fuzz target `conllu`: the CoNLL-U reader (data/Conllu.*) and what each task does with what it
// read. Input: the text of one .conllu file (tests/data/conllu and tests/data/parse are seeds as
// they are).
//   POS path:   TaggerVocab::build + encode (with and without rare-word replacement), ids in range.
//   Parse path: the tree checks (validateParseSentences); on valid trees the vocabularies, the static
//               oracle (empty exactly for a non-projective tree, and replaying it rebuilds the gold
//               tree), feature extraction, and a greedy decode with arbitrary choices (a
//               non-terminal state always has a legal transition) scored against the gold trees.
//   Writer:     writeConllu's text reads back to the same sentences.
#include "FuzzSupport.h"

#include "core/Error.h"
#include "core/Rng.h"
#include "data/Conllu.h"
#include "data/TaggerVocab.h"
#include "models/ArcStandard.h"
#include "models/ParserFeatures.h"
#include "tasks/ParseTask.h"

namespace {

using namespace meprop;

constexpr const char* kName = "fuzz.conllu";

void posPath(const std::vector<ConlluSentence>& sentences)
{
    try {
        const TaggerVocab vocab = TaggerVocab::build(sentences);
        const auto sizes = vocab.featureSizes();
        Rng rng(7);
        for (const ConlluSentence& s : sentences) {
            for (Rng* r : {static_cast<Rng*>(nullptr), &rng}) {
                const TaggerSentence e = vocab.encode(s, r, r ? 0.5f : 0.0f);
                fuzz::require(e.size() == static_cast<int>(s.tokens.size()), "encoded length differs");
                for (int w : e.words) fuzz::require(w >= 0 && w < vocab.words(), "word id out of range");
                for (int f = 0; f < kTaggerFeatures; ++f) {
                    fuzz::require(e.features[static_cast<std::size_t>(f)].size() == s.tokens.size(), "feature length differs");
                    for (int v : e.features[static_cast<std::size_t>(f)])
                        fuzz::require(v >= 0 && v < sizes[static_cast<std::size_t>(f)], "feature id out of range");
                }
                for (int t : e.tags) fuzz::require(t >= -1 && t < vocab.tags(), "tag id out of range");
            }
        }
    } catch (const DatasetError& e) {
        fuzz::requireClearMessage(e.what());
    }
}

void parsePath(const std::vector<ConlluSentence>& sentences)
{
    try {
        validateParseSentences(sentences, kName);
    } catch (const DatasetError& e) {
        fuzz::requireClearMessage(e.what(), kName);
        return;
    }
    const ParserVocabularies vocab = ParserVocabularies::build(sentences, 2);
    const int labels = vocab.numLabels();
    fuzz::require(labels >= 1, "valid trees but no label");
    std::vector<ParsePrediction> predictions;
    ParserFeatureVector fv;
    unsigned choice = 0;
    for (const ConlluSentence& s : sentences) {
        const int n = static_cast<int>(s.tokens.size());
        GoldTree gold;
        for (const ConlluToken& t : s.tokens) {
            gold.head.push_back(t.head);
            gold.label.push_back(vocab.labelId(t.deprel));
            fuzz::require(gold.label.back() >= 0 && gold.label.back() < labels, "label id out of range");
        }
        const ParserSentence enc = encodeSentence(s, vocab);
        const std::vector<int> seq = oracleSequence(gold, labels);
        fuzz::require(seq.empty() == !isProjective(gold.head), "oracle disagrees with isProjective");
        if (!seq.empty()) {
            fuzz::require(static_cast<int>(seq.size()) == 2 * n, "oracle sequence is not 2n transitions");
            ArcStandardState state(n);
            for (int t : seq) {
                extractFeatures(state, enc, fv);
                fuzz::require(state.canApply(t, labels), "oracle chose an illegal transition");
                state.apply(t, labels);
            }
            fuzz::require(state.terminal(), "oracle sequence does not end in a terminal state");
            for (int t = 1; t <= n; ++t) {
                fuzz::require(state.head(t) == gold.head[static_cast<std::size_t>(t - 1)], "oracle rebuilt another head");
                fuzz::require(state.label(t) == gold.label[static_cast<std::size_t>(t - 1)], "oracle rebuilt another label");
            }
        }
        // What ParseTask::parse does with a model's scores, with arbitrary choices instead.
        ArcStandardState state(n);
        const int transitions = numTransitions(labels);
        while (!state.terminal()) {
            extractFeatures(state, enc, fv);
            int pick = -1;
            for (int k = 0; k < transitions && pick < 0; ++k) {
                const int t = static_cast<int>((choice + static_cast<unsigned>(k)) % static_cast<unsigned>(transitions));
                if (state.canApply(t, labels)) pick = t;
            }
            fuzz::require(pick >= 0, "a non-terminal state has no legal transition");
            state.apply(pick, labels);
            choice = choice * 1103515245u + 12345u;
        }
        ParsePrediction p;
        for (int t = 1; t <= n; ++t) {
            p.head.push_back(state.head(t));
            p.label.push_back(state.label(t));
        }
        predictions.push_back(std::move(p));
    }
    long scored = 0;
    const auto [uas, las] = ParseTask::score(sentences, predictions, vocab, &scored);
    fuzz::require(uas >= 0.0 && uas <= 100.0 && las >= 0.0 && las <= uas, "scores out of range");
}

void writerRoundTrip(const std::vector<ConlluSentence>& sentences)
{
    const std::string text = formatConllu(sentences);
    std::vector<ConlluSentence> again;
    try {
        again = parseConllu(text, "written.conllu");
    } catch (const DatasetError& e) {
        fuzz::violated("the writer's output does not read back", e.what());
    }
    fuzz::require(again.size() == sentences.size(), "written text reads back to another sentence count");
    for (std::size_t i = 0; i < again.size(); ++i) {
        const auto& a = sentences[i].tokens;
        const auto& b = again[i].tokens;
        fuzz::require(a.size() == b.size(), "written sentence reads back to another length");
        for (std::size_t j = 0; j < a.size(); ++j)
            fuzz::require(a[j].head == b[j].head && (a[j].form == b[j].form || a[j].form.empty()), "written token reads back changed");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::vector<ConlluSentence> sentences;
    try {
        sentences = parseConllu(std::string_view(reinterpret_cast<const char*>(data), size), kName);
    } catch (const DatasetError& e) {
        fuzz::requireClearMessage(e.what(), kName);
        return 0;
    }
    fuzz::require(!sentences.empty(), "no sentence and no error");
    for (const ConlluSentence& s : sentences) fuzz::require(!s.tokens.empty(), "a sentence without tokens was accepted");
    posPath(sentences);
    parsePath(sentences);
    writerRoundTrip(sentences);
    return 0;
}

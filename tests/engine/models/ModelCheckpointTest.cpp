// Models save/load: a model restored into one built from another seed has the saved weights and
// update counts exactly; a model of another shape is refused with the part named.
#include "models/BiLstmTagger.h"
#include "models/Mlp.h"
#include "models/ParserModel.h"

#include "core/Error.h"

#include <gtest/gtest.h>

using namespace meprop;

namespace {

template <typename Model>
void expectSameParameters(Model& a, Model& b)
{
    const auto pa = a.parameters(), pb = b.parameters();
    ASSERT_EQ(pa.size(), pb.size());
    for (std::size_t i = 0; i < pa.size(); ++i) {
        ASSERT_EQ(pa[i]->name, pb[i]->name);
        ASSERT_TRUE(pa[i]->value == pb[i]->value) << pa[i]->name;
        EXPECT_TRUE(pb[i]->grad.isZero()) << pb[i]->name << ": load clears the gradient";
    }
}

template <typename Model>
std::string roundTrip(const Model& a, Model& b)
{
    CheckpointWriter w;
    a.save(w);
    const std::string bytes = w.take();
    CheckpointReader r(bytes, "ck");
    b.load(r);
    EXPECT_TRUE(r.atEnd());
    return bytes;
}

}  // namespace

TEST(ModelCheckpoint, MlpWeightsAndCounts)
{
    MlpSpec spec;
    spec.input = 5;
    spec.hidden = 8;
    spec.classes = 3;
    spec.mode = BackpropMode::TopK;
    spec.k = 2;
    Rng rngA(1), rngB(2);
    Mlp a(spec, rngA), b(spec, rngB);
    Tensor x(Matrix::Random(4, 5));
    const int labels[4] = {0, 1, 2, 1};
    a.forward(x, true, rngA);
    a.lossAndBackward(labels, 4, true, rngA, nullptr);  // counts and gradients become nonzero
    a.zeroGrad();
    roundTrip(a, b);
    expectSameParameters(a, b);
    for (int l = 0; l < a.layerCount(); ++l) EXPECT_EQ(a.layer(l).updateCounts(), b.layer(l).updateCounts());
    EXPECT_TRUE(a.forward(x, false, rngA) == b.forward(x, false, rngB));

    MlpSpec deeper = spec;
    deeper.layers = 3;
    Mlp c(deeper, rngB);
    CheckpointWriter w;
    a.save(w);
    const std::string bytes = w.take();
    CheckpointReader r(bytes, "ck");
    try {
        c.load(r);
        FAIL();
    } catch (const CheckpointError& e) {
        EXPECT_NE(std::string(e.what()).find("has 3 linear layers, this run's 4"), std::string::npos) << e.what();
    }
}

TEST(ModelCheckpoint, TaggerAndParser)
{
    TaggerShape shape;
    shape.words = 9;
    shape.features = {5, 6, 7, 6, 7, 4, 4};
    shape.tags = 5;
    shape.wordDim = 3;
    shape.featureDim = 2;
    shape.hidden = 4;
    Rng rngA(1), rngB(2);
    BiLstmTagger ta(shape, rngA), tb(shape, rngB);
    roundTrip(ta, tb);
    expectSameParameters(ta, tb);
    EXPECT_EQ(ta.lstmForward().updateCounts(), tb.lstmForward().updateCounts());

    ParserModelSettings s;
    s.wordVocab = 7;
    s.tagVocab = 4;
    s.labelVocab = 3;
    s.transitions = 5;
    s.embedDim = 2;
    s.hidden = 6;
    s.freezeEmbeddings = true;  // frozen embeddings are saved all the same
    ParserModel pa(s, rngA), pb(s, rngB);
    roundTrip(pa, pb);
    expectSameParameters(pa, pb);
    EXPECT_TRUE(pa.wordEmbeddings().value == pb.wordEmbeddings().value);

    // A tagger checkpoint is not a parser's.
    CheckpointWriter w;
    ta.save(w);
    const std::string bytes = w.take();
    CheckpointReader r(bytes, "ck");
    EXPECT_THROW(pb.load(r), CheckpointError);
}

#include "reproduce/Catalogue.h"

#include "train/Presets.h"

#include <map>
#include <string>
#include <utility>

namespace meprop::reproduce {

namespace {

using nlohmann::json;

// Figure 4's k values: backprop ratios 1 %, 2 %, 4 %, 10 %, 20 % of the 500 hidden units.
const std::vector<int> kFigureKs = {5, 10, 20, 50, 100};
// Tables 7 and 8: the paper's k values.
const std::vector<int> kGpuKs = {8, 16, 32, 64, 128, 256, 512};

PaperNumbers numbers(double iter, double time, double dev, double test, double speedup = kNone)
{
    PaperNumbers p;
    p.iter = iter;
    p.time = time;
    p.dev = dev;
    p.test = test;
    p.speedup = speedup;
    return p;
}

PaperNumbers testOnly(double test, double iter = kNone)
{
    PaperNumbers p;
    p.test = test;
    p.iter = iter;
    return p;
}

class Builder {
public:
    Builder(Budget budget, const PlanContext& ctx) : m_budget(budget), m_ctx(ctx) {}

    Catalogue build()
    {
        table1();
        table2();
        table3();
        table4();
        table5();
        table6();
        table7();
        table8();
        figure4();
        return std::move(m_cat);
    }

private:
    TableSpec& table(const std::string& id, const std::string& title)
    {
        TableSpec t;
        t.id = id;
        t.title = title;
        m_cat.tables.push_back(t);
        return m_cat.tables.back();
    }

    Cell& cell(const std::string& id, const std::string& group, const std::string& label, const std::string& baseline,
               const std::string& preset, json overrides = json::object(), PaperNumbers paper = {})
    {
        TableSpec& t = m_cat.tables.back();
        Cell c;
        c.id = id;
        c.table = t.id;
        c.group = group;
        c.label = label;
        c.baseline = baseline;
        c.preset = preset;
        c.overrides = overrides.is_null() ? json::object() : std::move(overrides);
        c.paper = paper;
        c.task = findPreset(preset).values.value("task", "image");
        t.cells.push_back(id);
        m_cat.cells.push_back(std::move(c));
        return m_cat.cells.back();
    }

    std::string imageName() const
    {
        if (m_ctx.imageDataName == "mnist") return "MNIST";
        if (m_ctx.imageDataName == "fashion-mnist") return "Fashion-MNIST";
        return "the MNIST-format folder " + (m_ctx.imageData.empty() ? std::string("found by the image task") : m_ctx.imageData);
    }

    std::vector<std::string> dataNotes(bool image, bool text) const
    {
        std::vector<std::string> notes;
        if (image) {
            if (m_ctx.imageDataName == "mnist")
                notes.push_back("Image rows: MNIST (" + m_ctx.imageData + "), as the paper.");
            else
                notes.push_back("Image rows: " + imageName() + (m_ctx.imageData.empty() ? "" : " (" + m_ctx.imageData + ")") +
                                ", because the dataset catalogue did not find MNIST: absolute accuracies are not comparable with the "
                                "paper's MNIST numbers; compare the deltas and the speedups.");
        }
        if (text)
            notes.push_back("POS and parsing rows: UD English EWT" + (m_ctx.textData.empty() ? std::string() : " (" + m_ctx.textData + ")") +
                            " instead of the paper's WSJ / Penn Treebank: absolute scores are not comparable; compare the deltas and "
                            "the speedups.");
        return notes;
    }

    void table1()
    {
        TableSpec& t = table("table1", "Table 1. Results based on LSTM/MLP models and AdaGrad/Adam optimizers (Backprop time: the linear "
                                       "layers' backward, the paper's \"Backprop time\"; Iter: epochs to the best dev score)");
        t.speedClaim = true;
        t.perEpoch = true;
        t.timeLabel = "Backprop time per epoch";
        t.claim = "meProp (k of 500) is no worse than dense back propagation, with the printed backprop speedup";
        t.notes = dataNotes(true, true);
        struct Row {
            const char* key;
            const char* group;
            const char* dense;
            const char* meprop;
            const char* label;
            int k;
            PaperNumbers base, cell;
        };
        const Row rows[] = {
            {"pos-adagrad", "POS-Tag (AdaGrad)", "table1-pos-adagrad-dense", "table1-pos-adagrad-k5", "meProp (k=5)", 5,
             numbers(4, 17534.4, 96.89, 96.93), numbers(4, 253.2, 97.18, 97.25, 69.2)},
            {"parse-adagrad", "Parsing (AdaGrad)", "table1-parse-adagrad-dense", "table1-parse-adagrad", "meProp (k=20)", 20,
             numbers(11, 8899.7, 89.07, 88.92), numbers(8, 492.3, 89.17, 88.95, 18.1)},
            {"mnist-adagrad", "MNIST (AdaGrad)", "table1-mnist-adagrad-dense", "table1-mnist-adagrad-k10", "meProp (k=10)", 10,
             numbers(8, 171.0, 98.20, 97.52), numbers(16, 4.1, 98.20, 98.00, 41.7)},
            {"pos-adam", "POS-Tag (Adam)", "table1-pos-adam-dense", "table1-pos-adam-k5", "meProp (k=5)", 5,
             numbers(2, 16167.3, 97.18, 97.07), numbers(5, 247.2, 97.14, 97.12, 65.4)},
            {"parse-adam", "Parsing (Adam)", "table1-parse-adam-dense", "table1-parse-adam", "meProp (k=20)", 20,
             numbers(14, 9077.7, 90.12, 89.84), numbers(6, 488.7, 90.02, 90.01, 18.6)},
            {"mnist-adam", "MNIST (Adam)", "table1-mnist-adam-dense", "table1-mnist-adam-k20", "meProp (k=20)", 20,
             numbers(17, 169.5, 98.32, 97.82), numbers(15, 7.9, 98.22, 98.01, 21.4)},
        };
        for (const Row& r : rows) {
            const std::string base = std::string("table1-") + r.key + "-dense";
            const bool lstm = std::string(r.key).starts_with("pos");
            cell(base, r.group, lstm ? "LSTM (h=500)" : "MLP (h=500)", "", r.dense, json::object(), r.base);
            cell(std::string("table1-") + r.key + "-k" + std::to_string(r.k), r.group, r.label, base, r.meprop, json::object(), r.cell);
        }
    }

    void table2()
    {
        TableSpec& t = table("table2", "Table 2. Overall forward propagation time vs. overall back propagation time (FP, BP including "
                                       "activations, Ov. time = FP + BP), the Adam rows of Table 1 (the same runs)");
        t.metric = "";
        t.accuracyClaim = false;
        t.speedClaim = true;
        t.timeField = "bp_overall_s";
        t.timeLabel = "Ov. BP time per epoch";
        t.perEpoch = true;
        t.claim = "back propagation is the major cost of training, and meProp cuts the overall backprop time by the printed factor";
        t.notes = dataNotes(true, true);
        t.notes.push_back("Table 2 reuses Table 1's Adam runs: no run of its own.");
        auto times = [](double fp, double bp, double ov, double speedup = kNone) {
            PaperNumbers p;
            p.fpTime = fp;
            p.time = bp;
            p.overallTime = ov;
            p.speedup = speedup;
            return p;
        };
        cell("table2-pos-adam-dense", "POS-Tag (Adam)", "LSTM (h=500)", "", "table1-pos-adam-dense", json::object(), times(7334, 16522, 23856));
        cell("table2-pos-adam-k5", "POS-Tag (Adam)", "meProp (k=5)", "table2-pos-adam-dense", "table1-pos-adam-k5", {},
             times(7362, 540, 7903, 30.5));
        cell("table2-parse-adam-dense", "Parsing (Adam)", "MLP (h=500)", "", "table1-parse-adam-dense", json::object(), times(3906, 9114, 13020));
        cell("table2-parse-adam-k20", "Parsing (Adam)", "meProp (k=20)", "table2-parse-adam-dense", "table1-parse-adam", {},
             times(4002, 513, 4516, 17.7));
        cell("table2-mnist-adam-dense", "MNIST (Adam)", "MLP (h=500)", "", "table1-mnist-adam-dense", json::object(), times(69, 171, 240));
        cell("table2-mnist-adam-k20", "MNIST (Adam)", "meProp (k=20)", "table2-mnist-adam-dense", "table1-mnist-adam-k20", {},
             times(68, 9, 77, 18.4));
    }

    void table3()
    {
        TableSpec& t = table("table3", "Table 3. Results based on the same k and h (a dense model as narrow as meProp's k)");
        t.claim = "meProp with k is no worse (the paper: much better) than a dense model with hidden size h = k";
        t.notes = dataNotes(true, true);
        cell("table3-pos-h5", "POS-Tag (Adam)", "LSTM (h=5)", "", "table3-pos-h5", json::object(), testOnly(96.40, 7));
        cell("table3-pos-k5", "POS-Tag (Adam)", "meProp (k=5)", "table3-pos-h5", "table1-pos-adam-k5", json::object(), testOnly(97.12, 5));
        cell("table3-parse-h20", "Parsing (Adam)", "MLP (h=20)", "", "table3-parse-h20", json::object(), testOnly(88.37, 18));
        cell("table3-parse-k20", "Parsing (Adam)", "meProp (k=20)", "table3-parse-h20", "table1-parse-adam", json::object(), testOnly(90.01, 6));
        cell("table3-mnist-h20", "MNIST (Adam)", "MLP (h=20)", "", "table3-mnist-h20", json::object(), testOnly(95.77, 15));
        cell("table3-mnist-k20", "MNIST (Adam)", "meProp (k=20)", "table3-mnist-h20", "table1-mnist-adam-k20", json::object(), testOnly(98.01, 17));
    }

    void table4()
    {
        TableSpec& t = table("table4", "Table 4. Adding the dropout technique");
        t.claim = "meProp with dropout is no worse (the paper: better) than dense with the same dropout";
        t.notes = dataNotes(true, true);
        cell("table4-pos-dense", "POS-Tag (Adam), dropout 0.5", "LSTM (h=500)", "", "table4-pos-dropout-dense", json::object(), testOnly(97.20));
        cell("table4-pos-k20", "POS-Tag (Adam), dropout 0.5", "meProp (k=20)", "table4-pos-dense", "table4-pos-dropout-k20", {},
             testOnly(97.31));
        cell("table4-parse-dense", "Parsing (Adam), dropout 0.5", "MLP (h=500)", "", "table4-parse-dropout-dense", json::object(), testOnly(91.53));
        cell("table4-parse-k40", "Parsing (Adam), dropout 0.5", "meProp (k=40)", "table4-parse-dense", "table4-parse-dropout", {},
             testOnly(91.99));
        cell("table4-mnist-dense", "MNIST (Adam), dropout 0.2", "MLP (h=500)", "", "table4-mnist-dropout-dense", json::object(), testOnly(98.09));
        cell("table4-mnist-k25", "MNIST (Adam), dropout 0.2", "meProp (k=25)", "table4-mnist-dense", "table4-mnist-dropout-k25", {},
             testOnly(98.32));
    }

    void table5()
    {
        TableSpec& t = table("table5", "Table 5. Varying the number of hidden layers on the MNIST task (Adam, dropout 0.1)");
        t.claim = "meProp (k=25) stays no worse than dense as hidden layers are added";
        t.notes = dataNotes(true, false);
        const double dense[] = {98.10, 98.21, 98.10, 98.05}, meprop[] = {98.20, 98.37, 98.15, 98.21};
        for (int layers = 2; layers <= 5; ++layers) {
            const std::string n = std::to_string(layers), group = n + " hidden layers";
            cell("table5-l" + n + "-dense", group, "MLP (h=500)", "", "table5-mnist-l" + n + "-dense", json::object(), testOnly(dense[layers - 2]));
            cell("table5-l" + n + "-k25", group, "meProp (k=25)", "table5-l" + n + "-dense", "table5-mnist-l" + n + "-k25", {},
                 testOnly(meprop[layers - 2]));
        }
    }

    void table6()
    {
        TableSpec& t = table("table6", "Table 6. Simple unified top-k meProp based on a whole mini-batch (Adam, mini-batch 50)");
        t.claim = "unified top-k (one set per minibatch) is no worse than dense";
        t.notes = dataNotes(true, false);
        cell("table6-l2-dense", "2 hidden layers", "MLP (h=500)", "", "table6-unified-l2", {{"mode", "dense"}}, testOnly(97.97));
        cell("table6-l2-k30", "2 hidden layers", "meProp (k=30)", "table6-l2-dense", "table6-unified-l2", json::object(), testOnly(98.08));
        cell("table6-l5-dense", "5 hidden layers", "MLP (h=500)", "", "table6-unified-l5", {{"mode", "dense"}}, testOnly(98.09));
        cell("table6-l5-k50", "5 hidden layers", "meProp (k=50)", "table6-l5-dense", "table6-unified-l5", json::object(), testOnly(98.36));
    }

    void table7()
    {
        TableSpec& t = table("table7", "Table 7. Acceleration results on the matrix multiplication synthetic data (one linear layer's "
                                       "backward, unified top-k; the paper: GPU, batch 1024, h = 8192)");
        t.metric = "";
        t.accuracyClaim = false;
        t.speedClaim = true;
        t.timeField = "meprop_ms";
        t.timeLabel = "Backprop time";
        t.timeUnit = "ms";
        t.claim = "meProp's backward of a large layer is faster than dense by the printed factor";
        int batch = 0, size = 0, reps = 0;
        if (m_ctx.gpu) {
            batch = m_budget == Budget::Smoke ? 64 : 1024;
            size = m_budget == Budget::Smoke ? 1024 : 8192;
            reps = m_budget == Budget::Smoke ? 5 : m_budget == Budget::Quick ? 20 : 50;
            t.notes.push_back("Run on the GPU (" + m_ctx.gpuName + "): dense = two FP32 cuBLAS GEMMs, meProp = the unified top-k "
                              "backward (selection included), mean of CUDA-event-timed repetitions.");
        } else {
            batch = m_budget == Budget::Smoke ? 32 : m_budget == Budget::Quick ? 256 : 1024;
            size = m_budget == Budget::Smoke ? 512 : m_budget == Budget::Quick ? 2048 : 4096;
            reps = m_budget == Budget::Smoke ? 3 : m_budget == Budget::Quick ? 10 : 20;
            t.notes.push_back(std::string("No GPU (") + (m_ctx.gpuName.empty() ? "none found" : m_ctx.gpuName) +
                              "): the same layer backward on the CPU, one thread, at batch " + std::to_string(batch) + " and h = " +
                              std::to_string(size) + " (the paper's 1024 x 8192 does not fit a CPU run of this budget); dense "
                              "(Eigen GEMMs) and meProp alternate in one process, median of the repetitions.");
        }
        t.notes.push_back("Each run times dense and meProp itself: the speedup is each run's own ratio; the baseline row shows the "
                          "dense time of the k=8 runs.");
        const std::map<int, std::pair<double, double>> paper = {{8, {8.37, 36.8}},    {16, {9.16, 33.6}},   {32, {11.20, 27.5}},
                                                                {64, {14.38, 21.4}},  {128, {21.28, 14.5}}, {256, {38.57, 8.0}},
                                                                {512, {69.95, 4.4}}};
        const std::string device = m_ctx.gpu ? "cuda" : "cpu";
        auto spec = [&](int k) {
            return json{{"batch", batch}, {"in", size}, {"out", size}, {"k", k}, {"mode", "unified"}, {"reps", reps}, {"threads", 1},
                        {"device", device}};
        };
        const std::string group = "batch " + std::to_string(batch) + ", h = " + std::to_string(size) + " (" + device + ")";
        for (int k : kGpuKs) {
            PaperNumbers p;
            p.time = paper.at(k).first;
            p.speedup = paper.at(k).second;
            Cell& c = benchCell("table7-k" + std::to_string(k), group, "meProp (k=" + std::to_string(k) + ")", "table7-dense", spec(k), p);
            c.speedupWithinRun = true;
        }
        PaperNumbers base;
        base.time = 308.00;
        Cell& b = benchCell("table7-dense", group, "Baseline (h=" + std::to_string(size) + ")", "", spec(kGpuKs.front()), base);
        b.timeField = "dense_ms";
        // Display order: the baseline first, as the paper.
        std::rotate(t.cells.rbegin(), t.cells.rbegin() + 1, t.cells.rend());
    }

    Cell& benchCell(const std::string& id, const std::string& group, const std::string& label, const std::string& baseline, json spec,
                    PaperNumbers paper)
    {
        TableSpec& t = m_cat.tables.back();
        Cell c;
        c.id = id;
        c.table = t.id;
        c.group = group;
        c.label = label;
        c.baseline = baseline;
        c.kind = RunKind::LinearBench;
        c.overrides = std::move(spec);
        c.paper = paper;
        c.task = "layer";
        t.cells.push_back(id);
        m_cat.cells.push_back(std::move(c));
        return m_cat.cells.back();
    }

    void table8()
    {
        TableSpec& t = table("table8", "Table 8. Acceleration results on MNIST (MLP 784-h-h-10, unified top-k, batch 50, one epoch; "
                                       "Overall backprop time; the paper: GPU, h = 8192)");
        t.metric = "";
        t.accuracyClaim = false;
        t.speedClaim = true;
        t.timeField = "bp_overall_s";
        t.timeLabel = "Overall backprop time";
        t.timeScale = 1000.0;
        t.timeUnit = "ms";
        t.claim = "meProp's overall backprop time on a wide MLP is lower than dense by the printed factor";
        int hidden = 0;
        long limit = 0, devSize = 5000;
        if (m_ctx.gpu) {
            hidden = m_budget == Budget::Smoke ? 1024 : 8192;
            limit = m_budget == Budget::Smoke ? 1000 : 0;
            devSize = m_budget == Budget::Smoke ? 500 : 5000;
            t.notes.push_back("Run on the GPU (" + m_ctx.gpuName + ") through the trainer (device cuda).");
        } else {
            hidden = m_budget == Budget::Smoke ? 512 : m_budget == Budget::Quick ? 2048 : 4096;
            limit = m_budget == Budget::Smoke ? 200 : m_budget == Budget::Quick ? 2000 : 5000;
            devSize = m_budget == Budget::Smoke ? 500 : 1000;
            t.notes.push_back(std::string("No GPU (") + (m_ctx.gpuName.empty() ? "none found" : m_ctx.gpuName) +
                              "): the same model on the CPU, one thread, h = " + std::to_string(hidden) + ", " + std::to_string(limit) +
                              " training images (the paper's h = 8192 over 55,000 images does not fit a CPU run of this budget).");
        }
        t.notes.push_back("Times are the whole run's overall backprop time (one epoch of the training images used), not the paper's "
                          "per-epoch GTX 1080 figures: compare the speedups.");
        for (const std::string& n : dataNotes(true, false)) t.notes.push_back(n);
        const json after = {{"hidden", hidden}, {"batch", 50}, {"epochs", 1}, {"limit", limit}, {"dev_size", devSize},
                            {"device", m_ctx.gpu ? "cuda" : "cpu"}};
        const std::map<int, std::pair<double, double>> paper = {{8, {1501.5, 11.8}},  {16, {1542.8, 11.5}}, {32, {1656.9, 10.7}},
                                                                {64, {1828.3, 9.7}},  {128, {2200.0, 8.0}}, {256, {3149.6, 5.6}},
                                                                {512, {4874.1, 3.6}}};
        const std::string group = "h = " + std::to_string(hidden) + (m_ctx.gpu ? " (cuda)" : " (cpu)");
        PaperNumbers base;
        base.time = 17696.2;
        cell("table8-dense", group, "MLP (h=" + std::to_string(hidden) + ")", "", "image-dense", json::object(), base).afterBudget = after;
        for (int k : kGpuKs) {
            PaperNumbers p;
            p.time = paper.at(k).first;
            p.speedup = paper.at(k).second;
            json a = after;
            a["k"] = k;
            cell("table8-k" + std::to_string(k), group, "meProp (k=" + std::to_string(k) + ")", "table8-dense", "image-unified",
                 json::object(), p)
                .afterBudget = a;
        }
    }

    void figure4()
    {
        auto percent = [](int k) { return 100.0 * k / 500.0; };
        {
            TableSpec& t = table("fig4-left", "Figure 4 (left). Accuracy vs. meProp's backprop ratio (MNIST, Adam, k of 500)");
            t.figure = true;
            t.claim = "meProp is no worse (the paper: consistently better; best 98.15, +0.33) than dense at every backprop ratio";
            t.xLabel = "backprop ratio (%)";
            t.yLabel = "test accuracy (%)";
            t.logX = true;
            t.notes = dataNotes(true, false);
            t.notes.push_back("The paper prints no numbers for Figure 4 besides its best point (98.15 %, +0.33 over 97.82).");
            Cell& d = cell("fig4-left-dense", "MNIST (Adam)", "MLP (h=500)", "", "table1-mnist-adam-dense");
            d.series = "MLP (h=500)";
            for (int k : kFigureKs) {
                Cell& c = cell("fig4-left-k" + std::to_string(k), "MNIST (Adam)", "meProp (k=" + std::to_string(k) + ")", "fig4-left-dense",
                               "table1-mnist-adam-k20", {{"k", k}});
                c.series = "meProp";
                c.x = percent(k);
            }
        }
        {
            TableSpec& t = table("fig4-middle", "Figure 4 (middle). Top-k meProp vs. random meProp (MNIST, Adam)");
            t.figure = true;
            t.claim = "top-k meProp is no worse (the paper: better) than random-k at the same k";
            t.xLabel = "backprop ratio (%)";
            t.yLabel = "test accuracy (%)";
            t.logX = true;
            t.notes = dataNotes(true, false);
            for (int k : kFigureKs) {
                const std::string ks = std::to_string(k);
                Cell& r = cell("fig4-middle-random-k" + ks, "k = " + ks, "random meProp (k=" + ks + ")", "", "table1-mnist-adam-k20",
                               {{"mode", "random"}, {"k", k}});
                r.series = "random meProp";
                r.x = percent(k);
                Cell& c = cell("fig4-middle-topk-k" + ks, "k = " + ks, "top-k meProp (k=" + ks + ")", "fig4-middle-random-k" + ks,
                               "table1-mnist-adam-k20", {{"k", k}});
                c.series = "top-k meProp";
                c.x = percent(k);
            }
        }
        {
            TableSpec& t = table("fig4-right", "Figure 4 (right). Top-k meProp vs. a dense baseline with hidden dimension h = k (MNIST, Adam)");
            t.figure = true;
            t.claim = "meProp with k is no worse (the paper: better) than a dense model with h = k";
            t.xLabel = "backprop ratio / hidden ratio (%)";
            t.yLabel = "test accuracy (%)";
            t.logX = true;
            t.notes = dataNotes(true, false);
            for (int k : kFigureKs) {
                const std::string ks = std::to_string(k);
                Cell& d = cell("fig4-right-h" + ks, "k = h = " + ks, "MLP (h=" + ks + ")", "", "table1-mnist-adam-dense",
                               {{"hidden", k}, {"k", k}});
                d.series = "MLP (h=k)";
                d.x = percent(k);
                Cell& c = cell("fig4-right-k" + ks, "k = h = " + ks, "meProp (k=" + ks + ")", "fig4-right-h" + ks, "table1-mnist-adam-k20",
                               {{"k", k}});
                c.series = "meProp (k)";
                c.x = percent(k);
            }
        }
    }

    Budget m_budget;
    const PlanContext& m_ctx;
    Catalogue m_cat;
};

}  // namespace

Catalogue paperCatalogue(Budget budget, const PlanContext& ctx) { return Builder(budget, ctx).build(); }

}  // namespace meprop::reproduce

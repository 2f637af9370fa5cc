// The meprop command line: exit codes and one clear line on stderr for bad input.
#include "../TinyMnist.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>

namespace {

struct Result {
    int code = -1;
    std::string err, out;
};

Result run(const std::string& args)
{
    const std::string dir = meprop::test::tempDir("cli-io");
    // MEPROP_TEST_CLI_WRAPPER runs the CLI under a prefix, e.g. "qemu-x86_64 -cpu Nehalem".
    const char* wrapper = std::getenv("MEPROP_TEST_CLI_WRAPPER");
    const std::string cmd = (wrapper ? std::string(wrapper) + " " : std::string()) + MEPROP_CLI_PATH + " " + args + " >" + dir +
                            "/out 2>" + dir + "/err";
    const int status = std::system(cmd.c_str());
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream e(dir + "/err"), o(dir + "/out");
    r.err.assign(std::istreambuf_iterator<char>(e), {});
    r.out.assign(std::istreambuf_iterator<char>(o), {});
    return r;
}

int lines(const std::string& s)
{
    int n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

void expectBadInput(const std::string& args, const std::string& mentions)
{
    const Result r = run(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.err;
    EXPECT_NE(r.err.find(mentions), std::string::npos) << args << "\nstderr: " << r.err;
    EXPECT_LE(lines(r.err), 2) << r.err;  // one message line (plus a blank line after a progress bar)
}

}  // namespace

TEST(Cli, ListsPresetsAndKeys)
{
    Result r = run("presets");
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("image "), std::string::npos);
    r = run("keys");
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("k_output"), std::string::npos);
}

TEST(Cli, BadInputExitsWithTwoAndOneLine)
{
    const std::string dir = meprop::test::tempDir("cli-bad");
    std::ofstream(dir + "/broken.json") << "{ \"k\": ";
    expectBadInput("", "");
    expectBadInput("frobnicate", "");
    expectBadInput("train nopreset", "unknown preset \"nopreset\"");
    expectBadInput("train " + dir + "/missing.json", "missing.json: config file not found");
    expectBadInput("train " + dir + "/broken.json", "broken.json: not valid JSON");
    expectBadInput("train image --set k=abc", "\"k\": expected an integer");
    expectBadInput("train image --set k=0", "\"k\"");
    expectBadInput("train image --set hidden=-5", "\"hidden\"");
    expectBadInput("train image --set k=600", "k <= hidden (500)");
    expectBadInput("train image --set optimizer=rmsprop", "\"optimizer\"");
    expectBadInput("train image --set mode=sparse", "\"mode\"");
    expectBadInput("train image --set nokey=1", "unknown key \"nokey\"");
    // Not UTF-8: config.json could not hold it (before: an internal error once the folder existed).
    expectBadInput("train image --set 'data=/tmp/\xff'", "expected UTF-8 text");
    expectBadInput("train image --set k", "expected key=value");
    expectBadInput("train image --set data=" + dir + "/nodata --out " + dir + "/o", "file not found");
}

TEST(Cli, TrainsOnATinyDataSet)
{
    const std::string data = meprop::test::writeTinyMnistDir(meprop::test::tempDir("cli-data"), 300, 60);
    const std::string out = meprop::test::tempDir("cli-out") + "/run";
    const std::string args = "train image --set data=" + data + " --set dev_size=100 --set hidden=16 --set k=4 --set epochs=2 --out " + out;
    Result r = run(args);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(std::filesystem::exists(out + "/summary.json"));
    EXPECT_NE(r.out.find("| image | topk | 4 |"), std::string::npos) << r.out;
    // A second run into the same folder is refused, and --overwrite allows it.
    r = run(args);
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("already holds a finished run"), std::string::npos);
    EXPECT_EQ(run(args + " --overwrite").code, 0);
}

TEST(Cli, BenchLinearPrintsOneJsonLine)
{
    Result r = run("bench-linear --batch 2 --in 64 --out 64 --k 4 --mode topk --reps 5");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(lines(r.out), 1);
    for (const char* key : {"\"dense_ms\"", "\"meprop_ms\"", "\"ratio\""}) EXPECT_NE(r.out.find(key), std::string::npos) << r.out;
    expectBadInput("bench-linear --k 0", "k");
    expectBadInput("bench-linear --k 600", "k");
    expectBadInput("bench-linear --mode dense", "mode");
    expectBadInput("bench-linear --mode fast", "mode");
    expectBadInput("bench-linear --batch x", "batch");
    expectBadInput("bench-linear --device tpu", "device");
}

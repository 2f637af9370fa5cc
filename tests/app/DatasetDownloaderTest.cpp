// The data-set downloader without a network: mirrors are file:// folders (and a local HTTP server
// that answers 404). Verified files land in the target folder; a size or SHA-256 mismatch fails
// naming the file with expected and actual values and leaves nothing; a mirror without the file
// falls back to the next; a cancel leaves no partial file; files already present are kept; the
// main window's download sets the config panel's data folder.
#include "ConfigPanel.h"
#include "DatasetDownloader.h"
#include "MainWindow.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMenuBar>
#include <QNetworkProxy>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <exception>

using namespace meprop;

namespace {

QByteArray randomBytes(int n, quint32 seed)
{
    QRandomGenerator rng(seed);
    QByteArray b(n, '\0');
    for (char& c : b) c = static_cast<char>(rng.bounded(256));
    return b;
}

bool writeFile(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

DatasetFile describe(const QString& name, const QByteArray& bytes)
{
    return DatasetFile{name.toStdString(), static_cast<std::uint64_t>(bytes.size()), sha256Hex(bytes.constData(), static_cast<std::size_t>(bytes.size()))};
}

std::string baseUrl(const QString& dir) { return QUrl::fromLocalFile(dir).toString().toStdString() + "/"; }

// Every entry of `dir`, hidden ones (temporary files) included.
QStringList entries(const QString& dir)
{
    return QDir(dir).entryList(QDir::Files | QDir::Dirs | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
}

// A local HTTP server: GET /stall/<name> sends the headers and the first 64 KiB of `stalled`,
// then nothing more (the connection stays open); every other request gets 404.
class TestServer : public QTcpServer {
public:
    explicit TestServer(QByteArray stalled = {}) : m_stalled(std::move(stalled))
    {
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* s = nextPendingConnection()) {
                connect(s, &QTcpSocket::readyRead, s, [this, s] {
                    const QByteArray request = s->readAll();
                    if (!request.contains("\r\n\r\n")) return;
                    if (request.startsWith("GET /stall/")) {
                        s->write("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
                                 QByteArray::number(m_stalled.size()) + "\r\n\r\n" + m_stalled.left(64 * 1024));
                        return;
                    }
                    s->write("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found");
                    s->disconnectFromHost();
                });
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
    }
    std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(serverPort()) + path; }

private:
    QByteArray m_stalled;
};

}  // namespace

class DatasetDownloaderTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QNetworkProxy::setApplicationProxy(QNetworkProxy::NoProxy);
        QVERIFY(m_dir.isValid());
        m_source = m_dir.filePath("mirror");
        m_empty = m_dir.filePath("empty-mirror");
        QVERIFY(QDir().mkpath(m_source));
        QVERIFY(QDir().mkpath(m_empty));
        m_big = randomBytes(3 * 1024 * 1024, 1);
        m_small = randomBytes(777, 2);
        QVERIFY(writeFile(m_source + "/big.bin", m_big));
        QVERIFY(writeFile(m_source + "/small.bin", m_small));
    }

    void downloadsAndVerifies()
    {
        const QString target = m_dir.filePath("ok/nested");  // created by the downloader
        DatasetDownloader d;
        QSignalSpy done(&d, &DatasetDownloader::finished);
        QSignalSpy failed(&d, &DatasetDownloader::failed);
        QSignalSpy progress(&d, &DatasetDownloader::progress);
        QVERIFY(d.start(info({baseUrl(m_source)}), target));
        QVERIFY(d.isRunning());
        QVERIFY(!d.start(info({baseUrl(m_source)}), target));  // one at a time
        QVERIFY2(done.wait(10000), failed.isEmpty() ? "no signal" : qPrintable(failed.first().first().toString()));
        QCOMPARE(done.first().first().toString(), QDir::cleanPath(target));
        QVERIFY(failed.isEmpty());
        QVERIFY(!d.isRunning());
        QCOMPARE(entries(target), QStringList({"big.bin", "small.bin"}));
        try {
            verifyDataset(target.toStdString(), info({}));
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
        // The last progress report of each file is complete.
        QCOMPARE(progress.last().at(0).toString(), QString("small.bin"));
        QCOMPARE(progress.last().at(1).toLongLong(), qint64(m_small.size()));
        QCOMPARE(progress.last().at(2).toLongLong(), qint64(m_small.size()));
    }

    void checksumMismatchFailsAndLeavesNothing()
    {
        DatasetInfo bad = info({baseUrl(m_source)});
        const std::string wrong(64, 'a');
        bad.files[1].sha256 = wrong;
        const QString target = m_dir.filePath("mismatch");
        const QString message = runToFailure(bad, target);
        QVERIFY2(message.contains("small.bin"), qPrintable(message));
        QVERIFY2(message.contains(QString::fromStdString(wrong)), qPrintable(message));                // expected
        QVERIFY2(message.contains(QString::fromStdString(describe("x", m_small).sha256)), qPrintable(message));  // actual
        QVERIFY2(message.contains(QString::fromStdString(baseUrl(m_source)) + "small.bin"), qPrintable(message));
        // big.bin was fine and stays; nothing of small.bin, no temporary file.
        QCOMPARE(entries(target), QStringList({"big.bin"}));
    }

    void sizeMismatchFails()
    {
        DatasetInfo bad = info({baseUrl(m_source)});
        bad.files[1].size = 700;  // the file has 777 bytes
        const QString target = m_dir.filePath("size");
        const QString message = runToFailure(bad, target);
        QVERIFY2(message.contains("small.bin") && message.contains("700"), qPrintable(message));
        QVERIFY(!entries(target).contains("small.bin"));
        bad.files[1].size = 800;
        const QString target2 = m_dir.filePath("size2");
        const QString message2 = runToFailure(bad, target2);
        QVERIFY2(message2.contains("size 777 bytes, expected 800"), qPrintable(message2));
        QCOMPARE(entries(target2), QStringList({"big.bin"}));
    }

    void missingFileFallsBackToNextMirror()
    {
        const QString target = m_dir.filePath("fallback");
        DatasetDownloader d;
        QSignalSpy done(&d, &DatasetDownloader::finished);
        QSignalSpy failed(&d, &DatasetDownloader::failed);
        QSignalSpy started(&d, &DatasetDownloader::fileStarted);
        QVERIFY(d.start(info({baseUrl(m_empty), baseUrl(m_source)}), target));
        QVERIFY2(done.wait(10000), failed.isEmpty() ? "no signal" : qPrintable(failed.first().first().toString()));
        QCOMPARE(entries(target), QStringList({"big.bin", "small.bin"}));
        QCOMPARE(started.size(), 4);  // each file: first mirror, then second
        QCOMPARE(started.at(0).at(3).toString(), QString::fromStdString(baseUrl(m_empty)) + "big.bin");
        QCOMPARE(started.at(1).at(3).toString(), QString::fromStdString(baseUrl(m_source)) + "big.bin");
    }

    void everyMirrorFailingNamesFileAndUrls()
    {
        TestServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        const std::string http = server.url("/data/");
        const QString target = m_dir.filePath("allfail");
        const QString message = runToFailure(info({http, baseUrl(m_empty)}), target);
        QVERIFY2(message.contains("big.bin"), qPrintable(message));
        QVERIFY2(message.contains(QString::fromStdString(http) + "big.bin: HTTP 404"), qPrintable(message));
        QVERIFY2(message.contains(QString::fromStdString(baseUrl(m_empty)) + "big.bin"), qPrintable(message));
        QVERIFY(entries(target).isEmpty());

        // An HTTP error on the first mirror falls back to the second as well.
        DatasetDownloader d;
        QSignalSpy done(&d, &DatasetDownloader::finished);
        QVERIFY(d.start(info({http, baseUrl(m_source)}), m_dir.filePath("httpfallback")));
        QVERIFY(done.wait(10000));
        QCOMPARE(entries(m_dir.filePath("httpfallback")), QStringList({"big.bin", "small.bin"}));
    }

    void noMirrorsFails()
    {
        const QString message = runToFailure(info({}), m_dir.filePath("nomirror"));
        QVERIFY2(message.contains("no download mirrors"), qPrintable(message));
    }

    void cancelLeavesNoPartialFile()
    {
        const QString target = m_dir.filePath("cancel");
        DatasetDownloader d;
        QSignalSpy cancelled(&d, &DatasetDownloader::cancelled);
        QSignalSpy done(&d, &DatasetDownloader::finished);
        QSignalSpy failed(&d, &DatasetDownloader::failed);
        bool sawPartial = false;
        connect(&d, &DatasetDownloader::progress, this, [&](const QString& file, qint64 received, qint64 total) {
            if (file == "big.bin" && received > 0) {
                sawPartial = received < total;
                d.cancel();  // some bytes are in QSaveFile's temporary file now
            }
        });
        QVERIFY(d.start(info({baseUrl(m_source)}), target));
        QTRY_COMPARE_WITH_TIMEOUT(cancelled.size(), 1, 10000);
        QVERIFY(!d.isRunning());
        QTest::qWait(100);  // nothing else arrives
        QVERIFY(done.isEmpty());
        QVERIFY(failed.isEmpty());
        QCOMPARE(entries(target), QStringList());
        qInfo("cancelled after a partial chunk: %s", sawPartial ? "yes" : "no (the whole file came in one read)");

        // Cancelled on the second file: the first, complete and verified, stays.
        DatasetDownloader d2;
        QSignalSpy cancelled2(&d2, &DatasetDownloader::cancelled);
        connect(&d2, &DatasetDownloader::fileStarted, this, [&](int index) {
            if (index == 1) d2.cancel();
        });
        const QString target2 = m_dir.filePath("cancel2");
        QVERIFY(d2.start(info({baseUrl(m_source)}), target2));
        QTRY_COMPARE_WITH_TIMEOUT(cancelled2.size(), 1, 10000);
        QCOMPARE(entries(target2), QStringList({"big.bin"}));
    }

    void cancelMidTransferRemovesTemporaryFile()
    {
        // The server sends 64 KiB of big.bin and stalls: the temporary file exists, then goes.
        TestServer server(m_big);
        QVERIFY(server.listen(QHostAddress::LocalHost));
        const QString target = m_dir.filePath("cancel-http");
        DatasetDownloader d;
        QSignalSpy cancelled(&d, &DatasetDownloader::cancelled);
        QSignalSpy progress(&d, &DatasetDownloader::progress);
        QVERIFY(d.start(info({server.url("/stall/")}), target));
        QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty() && progress.last().at(1).toLongLong() == 64 * 1024, 10000);
        QCOMPARE(progress.last().at(2).toLongLong(), qint64(m_big.size()));
        // 64 KiB are in QSaveFile's temporary file (unnamed with O_TMPFILE on Linux, else a
        // hidden sibling); the file's own name appears only on commit.
        QVERIFY(!entries(target).contains("big.bin"));
        d.cancel();
        QCOMPARE(cancelled.size(), 1);
        QCOMPARE(entries(target), QStringList());
    }

    void stalledTransferTimesOut()
    {
        TestServer server(m_big);
        QVERIFY(server.listen(QHostAddress::LocalHost));
        const QString target = m_dir.filePath("timeout");
        DatasetDownloader d;
        d.setTransferTimeout(300);
        QSignalSpy failed(&d, &DatasetDownloader::failed);
        QVERIFY(d.start(info({server.url("/stall/")}), target));
        QVERIFY(failed.wait(10000));
        const QString message = failed.first().first().toString();
        QVERIFY2(message.contains(QString::fromStdString(server.url("/stall/big.bin")) + ": timed out"), qPrintable(message));
        QCOMPARE(entries(target), QStringList());
    }

    void keepsFilesAlreadyPresent()
    {
        // big.bin is present and right; small.bin is present but damaged: only small.bin is fetched
        // (the one mirror has no big.bin, so fetching it would fail).
        const QString target = m_dir.filePath("resume");
        const QString partial = m_dir.filePath("only-small");
        QVERIFY(QDir().mkpath(target));
        QVERIFY(QDir().mkpath(partial));
        QVERIFY(writeFile(target + "/big.bin", m_big));
        QVERIFY(writeFile(target + "/small.bin", "damaged"));
        QVERIFY(writeFile(partial + "/small.bin", m_small));
        DatasetDownloader d;
        QSignalSpy done(&d, &DatasetDownloader::finished);
        QSignalSpy failed(&d, &DatasetDownloader::failed);
        QSignalSpy started(&d, &DatasetDownloader::fileStarted);
        QVERIFY(d.start(info({baseUrl(partial)}), target));
        QVERIFY2(done.wait(10000), failed.isEmpty() ? "no signal" : qPrintable(failed.first().first().toString()));
        QCOMPARE(started.size(), 1);
        try {
            verifyDataset(target.toStdString(), info({}));
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
    }

    void mainWindowDownloadSetsDataFolder()
    {
        MainWindow w(m_dir.filePath("runs"));
        // The menu offers the catalogue's downloadable sets and the folder chooser.
        QStringList texts;
        for (QAction* a : w.menuBar()->actions().first()->menu()->actions()) texts << a->text();
        QVERIFY2(texts.contains("Download &MNIST..."), qPrintable(texts.join(" | ")));
        QVERIFY2(texts.contains("Choose &data folder..."), qPrintable(texts.join(" | ")));

        const QString target = m_dir.filePath("window");
        QVERIFY(w.downloadDataset(info({baseUrl(m_source)}), target));
        QTRY_COMPARE_WITH_TIMEOUT(w.configPanel()->value("data").toString(), QDir::cleanPath(target), 10000);
        QCOMPARE(entries(target), QStringList({"big.bin", "small.bin"}));

        // A failure is reported (one message naming the file) and the window keeps working.
        DatasetInfo bad = info({baseUrl(m_empty)});
        QVERIFY(w.downloadDataset(bad, m_dir.filePath("window-bad")));
        QTRY_VERIFY_WITH_TIMEOUT(w.lastError().contains("big.bin"), 10000);
        QCOMPARE(w.configPanel()->value("data").toString(), QDir::cleanPath(target));
    }

private:
    DatasetInfo info(const std::vector<std::string>& mirrors) const
    {
        DatasetInfo i;
        i.name = "tiny";
        i.task = "image";
        i.folder = "tiny";
        i.mirrors = mirrors;
        i.files = {describe("big.bin", m_big), describe("small.bin", m_small)};
        return i;
    }

    QString runToFailure(const DatasetInfo& i, const QString& target)
    {
        DatasetDownloader d;
        QSignalSpy done(&d, &DatasetDownloader::finished);
        QSignalSpy failed(&d, &DatasetDownloader::failed);
        if (!d.start(i, target)) return "start refused";
        if (!failed.wait(10000)) return "no failure reported";
        if (!done.isEmpty()) return "finished as well";
        return failed.first().first().toString();
    }

    QTemporaryDir m_dir;
    QString m_source;
    QString m_empty;
    QByteArray m_big;
    QByteArray m_small;
};

QTEST_MAIN(DatasetDownloaderTest)
#include "DatasetDownloaderTest.moc"

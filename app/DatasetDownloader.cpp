#include "DatasetDownloader.h"

#include <QDir>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTimer>
#include <QUrl>

#include <exception>

namespace meprop {

namespace {

QString q(const std::string& s) { return QString::fromStdString(s); }

}  // namespace

DatasetDownloader::DatasetDownloader(QObject* parent) : QObject(parent), m_nam(new QNetworkAccessManager(this)) {}

DatasetDownloader::~DatasetDownloader()
{
    dropReply();
    if (m_out) m_out->cancelWriting();  // the QSaveFile destructor then removes its temporary file
}

QString DatasetDownloader::defaultFolder(const DatasetInfo& info)
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/datasets/") + q(info.folder);
}

QString DatasetDownloader::describeSize(const DatasetInfo& info)
{
    std::uint64_t total = 0;
    bool known = true;
    for (const DatasetFile& f : info.files) {
        total += f.size;
        known = known && f.size != 0;
    }
    const QString files = info.files.size() == 1 ? QStringLiteral("1 file") : QStringLiteral("%1 files").arg(info.files.size());
    if (!known) return files + QStringLiteral(", size unknown");
    return files + QStringLiteral(", %1 MB").arg(static_cast<double>(total) / 1e6, 0, 'f', 1);
}

bool DatasetDownloader::start(const DatasetInfo& info, const QString& folder)
{
    if (m_running) return false;
    m_running = true;
    m_info = info;
    m_folder = QDir::cleanPath(QFileInfo(folder).absoluteFilePath());
    m_file = -1;
    // Report from the event loop even for immediate failures, so callers see one behaviour.
    QTimer::singleShot(0, this, [this] {
        if (!m_running) return;  // cancelled before we began
        if (m_info.mirrors.empty()) {
            finishWith(false, QStringLiteral("Data set %1 has no download mirrors in the catalogue.").arg(q(m_info.name)));
            return;
        }
        if (!QDir().mkpath(m_folder)) {
            finishWith(false, QStringLiteral("Cannot create the folder %1 for data set %2.").arg(m_folder, q(m_info.name)));
            return;
        }
        nextFile();
    });
    return true;
}

void DatasetDownloader::cancel()
{
    if (!m_running) return;
    finishWith(false, QString());
}

void DatasetDownloader::nextFile()
{
    while (++m_file < static_cast<int>(m_info.files.size())) {
        const DatasetFile& f = m_info.files[static_cast<std::size_t>(m_file)];
        const QString path = QDir(m_folder).filePath(q(f.name));
        // A file from an earlier (interrupted) download that matches the catalogue is kept.
        if (QFileInfo(path).isFile() && (f.size != 0 || !f.sha256.empty())) {
            try {
                verifyDatasetFile(path.toStdString(), f);
                emit progress(q(f.name), static_cast<qint64>(f.size), static_cast<qint64>(f.size));
                continue;
            } catch (const std::exception&) {
                // Different or damaged: download it again; the good copy replaces it on commit.
            }
        }
        m_attempts.clear();
        m_mirror = -1;
        tryMirror();
        return;
    }
    finishWith(true, QString());
}

void DatasetDownloader::tryMirror()
{
    const DatasetFile& f = m_info.files[static_cast<std::size_t>(m_file)];
    if (++m_mirror >= static_cast<int>(m_info.mirrors.size())) {
        finishWith(false, QStringLiteral("Cannot download %1 (data set %2) into %3:\n%4")
                              .arg(q(f.name), q(m_info.name), m_folder, m_attempts.join(QLatin1Char('\n'))));
        return;
    }
    QString base = q(m_info.mirrors[static_cast<std::size_t>(m_mirror)]);
    if (!base.endsWith(QLatin1Char('/'))) base += QLatin1Char('/');
    m_url = base + q(f.name);
    const QUrl url(m_url);
    if (!url.isValid()) {
        mirrorFailed(QStringLiteral("not a valid URL"));
        return;
    }

    m_out = std::make_unique<QSaveFile>(QDir(m_folder).filePath(q(f.name)));
    if (!m_out->open(QIODevice::WriteOnly)) {
        const QString why = m_out->errorString();
        m_out.reset();
        // The folder is the problem, not the mirror: no point in trying the others.
        finishWith(false, QStringLiteral("Cannot write %1 in %2: %3").arg(q(f.name), m_folder, why));
        return;
    }
    m_hash.reset();
    m_received = 0;
    m_abortReason.clear();

    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setTransferTimeout(m_transferTimeoutMs);
    request.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("meprop-workbench"));
    emit fileStarted(m_file, static_cast<int>(m_info.files.size()), q(f.name), m_url);
    m_reply = m_nam->get(request);
    connect(m_reply, &QNetworkReply::readyRead, this, &DatasetDownloader::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &DatasetDownloader::onFinished);
}

void DatasetDownloader::onReadyRead()
{
    QNetworkReply* reply = m_reply;
    if (!reply || !reply->isOpen() || !m_out || !m_abortReason.isEmpty()) return;
    // An HTTP error page is not the file: onFinished reports the status instead.
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 300) return;
    const DatasetFile& f = m_info.files[static_cast<std::size_t>(m_file)];
    const QByteArray chunk = reply->readAll();
    m_received += chunk.size();
    if (f.size != 0 && static_cast<std::uint64_t>(m_received) > f.size) {
        m_abortReason = QStringLiteral("more than the expected %1 bytes (a different file)").arg(f.size);
        reply->abort();  // onFinished reports it (possibly before abort() returns)
        return;
    }
    if (m_out->write(chunk) != chunk.size()) {
        m_abortReason = QStringLiteral("cannot write %1: %2").arg(m_out->fileName(), m_out->errorString());
        reply->abort();
        return;
    }
    m_hash.addData(chunk);
    qint64 total = f.size != 0 ? static_cast<qint64>(f.size) : reply->header(QNetworkRequest::ContentLengthHeader).toLongLong();
    emit progress(q(f.name), m_received, total > 0 ? total : -1);
}

void DatasetDownloader::onFinished()
{
    QNetworkReply* reply = m_reply;
    if (!reply || sender() != reply) return;
    onReadyRead();  // whatever is still buffered
    const DatasetFile& f = m_info.files[static_cast<std::size_t>(m_file)];
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QNetworkReply::NetworkError error = reply->error();
    const QString errorText = reply->errorString();
    dropReply();

    if (!m_abortReason.isEmpty()) return mirrorFailed(m_abortReason);
    if (status >= 300) return mirrorFailed(QStringLiteral("HTTP %1 (%2)").arg(status).arg(errorText));
    // We abort only with m_abortReason set, and cancel() disconnects first: a cancel here is
    // QNetworkRequest's transfer timeout.
    if (error == QNetworkReply::OperationCanceledError)
        return mirrorFailed(QStringLiteral("timed out (no data for %1 s)").arg(m_transferTimeoutMs / 1000.0));
    if (error != QNetworkReply::NoError) return mirrorFailed(errorText);
    if (f.size != 0 && static_cast<std::uint64_t>(m_received) != f.size)
        return mirrorFailed(QStringLiteral("%1: size %2 bytes, expected %3 (incomplete or different file)")
                                .arg(q(f.name)).arg(m_received).arg(f.size));
    const QString actual = QString::fromLatin1(m_hash.result().toHex());
    if (!f.sha256.empty() && actual != q(f.sha256))
        return mirrorFailed(QStringLiteral("%1: SHA-256 %2, expected %3 (corrupt or different file)").arg(q(f.name), actual, q(f.sha256)));
    if (!m_out->commit()) {
        const QString why = m_out->errorString();
        m_out.reset();
        finishWith(false, QStringLiteral("Cannot save %1 in %2: %3").arg(q(f.name), m_folder, why));
        return;
    }
    m_out.reset();
    nextFile();
}

void DatasetDownloader::mirrorFailed(const QString& why)
{
    if (m_out) {
        m_out->cancelWriting();
        m_out.reset();  // removes the temporary file: nothing of this attempt stays
    }
    m_attempts << QStringLiteral("%1: %2").arg(m_url, why);
    tryMirror();
}

void DatasetDownloader::dropReply()
{
    if (!m_reply) return;
    QNetworkReply* reply = m_reply;
    m_reply = nullptr;
    disconnect(reply, nullptr, this, nullptr);
    if (reply->isRunning()) reply->abort();
    reply->deleteLater();
}

void DatasetDownloader::finishWith(bool ok, const QString& message)
{
    dropReply();
    if (m_out) {
        m_out->cancelWriting();
        m_out.reset();
    }
    m_running = false;
    if (ok) emit finished(m_folder);
    else if (message.isEmpty()) emit cancelled();
    else emit failed(message);
}

}  // namespace meprop

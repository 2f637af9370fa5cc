#include "DownloadDialog.h"

#include "DatasetDownloader.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressDialog>
#include <QPushButton>

#include <algorithm>

namespace meprop {

DownloadDialog::DownloadDialog(QWidget* parent) : QObject(parent), m_window(parent)
{
    m_downloader = new DatasetDownloader(this);
    connect(m_downloader, &DatasetDownloader::fileStarted, this, [this](int index, int count, const QString& file, const QString& url) {
        if (m_progress) m_progress->setLabelText(tr("Downloading %1 (%2 of %3)\nfrom %4").arg(file).arg(index + 1).arg(count).arg(url));
        emit status(tr("Downloading %1 from %2").arg(file, url));
    });
    connect(m_downloader, &DatasetDownloader::progress, this, &DownloadDialog::onProgress);
    connect(m_downloader, &DatasetDownloader::finished, this, [this](const QString& dir) {
        closeProgress();
        emit finished(dir);
    });
    connect(m_downloader, &DatasetDownloader::failed, this, [this](const QString& message) {
        closeProgress();
        emit failed(message);
    });
    connect(m_downloader, &DatasetDownloader::cancelled, this, [this] {
        closeProgress();
        emit cancelled();
    });
}

QString DownloadDialog::askFolder(QWidget* parent, const DatasetInfo& info)
{
    const QString name = QString::fromStdString(info.name);
    QDialog dialog(parent);
    dialog.setWindowTitle(tr("Download %1").arg(name));
    auto* form = new QFormLayout(&dialog);
    auto* about = new QLabel(tr("%1\n%2; licence: %3\nFrom %4")
                                 .arg(QString::fromStdString(info.description), DatasetDownloader::describeSize(info),
                                      QString::fromStdString(info.licence), QString::fromStdString(info.mirrors.front())));
    about->setWordWrap(true);
    form->addRow(about);
    auto* row = new QHBoxLayout();
    auto* edit = new QLineEdit(DatasetDownloader::defaultFolder(info));
    edit->setMinimumWidth(360);
    auto* browse = new QPushButton(tr("Browse..."));
    connect(browse, &QPushButton::clicked, &dialog, [&dialog, edit] {
        const QString dir = QFileDialog::getExistingDirectory(&dialog, tr("Download into"), edit->text());
        if (!dir.isEmpty()) edit->setText(dir);
    });
    row->addWidget(edit, 1);
    row->addWidget(browse);
    form->addRow(tr("Folder:"), row);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Download"));
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted) return {};
    return edit->text().trimmed();
}

bool DownloadDialog::isRunning() const
{
    return m_downloader->isRunning();
}

void DownloadDialog::cancel()
{
    m_downloader->cancel();
}

bool DownloadDialog::start(const DatasetInfo& info, const QString& folder, bool quiet, QString* why)
{
    if (m_downloader->isRunning()) {
        if (why) *why = tr("A download is already running; wait for it or cancel it first.");
        return false;
    }
    m_received.clear();
    m_total = 0;
    for (const DatasetFile& f : info.files) {
        if (f.size == 0) {
            m_total = 0;
            break;
        }
        m_total += static_cast<qint64>(f.size);
    }
    if (!quiet) {
        const QString name = QString::fromStdString(info.name);
        m_progress = new QProgressDialog(tr("Downloading %1...").arg(name), tr("Cancel"), 0, m_total > 0 ? 1000 : 0, m_window);
        m_progress->setWindowTitle(tr("Download %1").arg(name));
        m_progress->setAttribute(Qt::WA_DeleteOnClose);
        m_progress->setAutoClose(false);
        m_progress->setAutoReset(false);
        m_progress->setMinimumDuration(0);
        m_progress->setWindowModality(Qt::WindowModal);
        connect(m_progress, &QProgressDialog::canceled, m_downloader, &DatasetDownloader::cancel);
        m_progress->setValue(0);
    }
    m_downloader->start(info, folder);
    return true;
}

void DownloadDialog::onProgress(const QString& file, qint64 received, qint64 total)
{
    m_received[file] = received;
    if (!m_progress) return;
    if (m_total > 0) {
        qint64 sum = 0;
        for (qint64 v : std::as_const(m_received)) sum += v;
        m_progress->setValue(static_cast<int>(std::min<qint64>(1000, sum * 1000 / m_total)));
    } else if (total > 0) {
        m_progress->setMaximum(1000);
        m_progress->setValue(static_cast<int>(received * 1000 / total));
    }
}

void DownloadDialog::closeProgress()
{
    if (!m_progress) return;
    QProgressDialog* dialog = m_progress;
    m_progress = nullptr;
    disconnect(dialog, nullptr, m_downloader, nullptr);  // closing a QProgressDialog emits canceled()
    dialog->close();
}

}  // namespace meprop

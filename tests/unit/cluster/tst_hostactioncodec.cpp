#include "cluster/ClusterBus.h"
#include "cluster/HostActionCodec.h"

#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;

namespace quorum {

class TestHostActionCodec : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyKindOfActionSurvivesTheTrip_data()
    {
        QTest::addColumn<int>("kind");
        for (int kind = int(HostAction::Kind::Mute); kind <= int(HostAction::Kind::StopRecording);
             ++kind)
            QTest::newRow(qPrintable(QString::number(kind))) << kind;
    }

    void everyKindOfActionSurvivesTheTrip()
    {
        QFETCH(int, kind);
        HostAction action;
        action.kind = HostAction::Kind(kind);
        action.meetingId = u"mtg_1"_s;
        action.participantId = u"par_2"_s;
        action.muted = false;
        action.role = ParticipantRole::CoHost;
        action.actorUserId = u"usr_3"_s;
        action.waitForAck = true;

        // Through text, as PostgreSQL carries it.
        const QJsonObject sent
            = QJsonDocument::fromJson(QJsonDocument(hostactioncodec::encodeAction(action)).toJson())
                  .object();
        const auto received = hostactioncodec::decodeAction(sent);
        QVERIFY(received);
        QCOMPARE(int(received->kind), kind);
        QCOMPARE(received->meetingId, action.meetingId);
        QCOMPARE(received->participantId, action.participantId);
        QCOMPARE(received->muted, false);
        QCOMPARE(received->role, ParticipantRole::CoHost);
        QCOMPARE(received->actorUserId, action.actorUserId);
        QCOMPARE(received->waitForAck, true);
    }

    void anActionOfUnknownKindOrRoleIsNotDecoded()
    {
        QJsonObject json = hostactioncodec::encodeAction(HostAction{});
        json.insert(u"kind"_s, 99);
        QVERIFY(!hostactioncodec::decodeAction(json));
        json = hostactioncodec::encodeAction(HostAction{});
        json.insert(u"role"_s, u"emperor"_s);
        QVERIFY(!hostactioncodec::decodeAction(json));
    }

    void anErrorKeepsItsCodeDetailAndFields()
    {
        const Result<HostActionOutcome> refused = Error{ErrorCode::ParticipantLeft,
                                                        u"This participant has left."_s,
                                                        {{u"participant_id"_s, u"has left"_s}}};
        const auto relayed
            = hostactioncodec::decodeOutcome(hostactioncodec::encodeOutcome(refused));
        QVERIFY(relayed.error);
        QCOMPARE(relayed.error->code, ErrorCode::ParticipantLeft);
        QCOMPARE(relayed.error->detail, u"This participant has left."_s);
        QCOMPARE(relayed.error->fields.size(), 1);
        QCOMPARE(relayed.error->fields.first().field, u"participant_id"_s);
    }

    void anOutcomeNamesWhatItChanged()
    {
        HostActionOutcome outcome;
        outcome.acknowledged = true;
        outcome.affected = 3;
        Participant participant;
        participant.id = u"par_9"_s;
        outcome.participant = participant;
        const auto relayed = hostactioncodec::decodeOutcome(
            hostactioncodec::encodeOutcome(Result<HostActionOutcome>(outcome)));
        QVERIFY(!relayed.error);
        QCOMPARE(relayed.acknowledged, true);
        QCOMPARE(relayed.affected, 3);
        QCOMPARE(relayed.participantId, u"par_9"_s);
        QVERIFY(relayed.meetingId.isEmpty());
        QVERIFY(relayed.recordingId.isEmpty());
    }

    // The longest action fits PostgreSQL's notification payload with room to spare.
    void anActionFitsTheBusPayload()
    {
        HostAction action;
        action.meetingId = u"mtg_"_s + QString(22, u'x');
        action.participantId = u"par_"_s + QString(22, u'y');
        action.actorUserId = u"usr_"_s + QString(22, u'z');
        const QJsonObject message{{u"to"_s, QString(255, u'n')},
                                  {u"request"_s, QString(32, u'r')},
                                  {u"action"_s, hostactioncodec::encodeAction(action)},
                                  {u"kind"_s, u"act"_s},
                                  {u"node"_s, QString(255, u'm')}};
        QVERIFY(QJsonDocument(message).toJson(QJsonDocument::Compact).size()
                < ClusterBus::kMaxPayloadBytes / 4);
    }
};

} // namespace quorum

QTEST_GUILESS_MAIN(quorum::TestHostActionCodec)
#include "tst_hostactioncodec.moc"

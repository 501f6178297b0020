"""Every record of an account, in both adapters: a recognised person's record beside the
account's, listed in one read (one GetItem, one range of the SQLite key), never another
account's; a session keeps the record it began with."""

from __future__ import annotations

from ask_sdk_model import Application, Context, Device, Person, RequestEnvelope, Session, User
from ask_sdk_model.interfaces.system import SystemState

from si_coach.storage.dynamodb import progress_table_adapter
from si_coach.storage.lifecycle import SESSION_RECORD_OWNER, RecordKey, person_tag, record_key

ACCOUNT = "amzn1.ask.account.FAMILY"
NEIGHBOUR = "amzn1.ask.account.FAMILYNEIGHBOUR"
ALICE = "amzn1.ask.person.ALICE"
BOB = "amzn1.ask.person.BOB"


def envelope(user_id: str, person_id: str | None = None, owner: str | None = None):
    session = None
    if owner is not None:
        session = Session(new=False, session_id="s", attributes={SESSION_RECORD_OWNER: owner})
    return RequestEnvelope(
        version="1.0",
        session=session,
        context=Context(
            system=SystemState(
                application=Application(application_id="amzn1.ask.skill.x"),
                user=User(user_id=user_id),
                device=Device(device_id="amzn1.ask.device.x"),
                person=Person(person_id=person_id) if person_id else None,
            )
        ),
    )


def fill(adapter) -> None:
    adapter.save_attributes(envelope(ACCOUNT), {"who": "account"})
    adapter.save_attributes(envelope(ACCOUNT, ALICE), {"who": "alice"})
    adapter.save_attributes(envelope(ACCOUNT, BOB), {"who": "bob"})
    adapter.save_attributes(envelope(NEIGHBOUR), {"who": "neighbour"})
    adapter.save_attributes(envelope(NEIGHBOUR, ALICE), {"who": "neighbour's alice"})


def check(adapter) -> None:
    assert adapter.get_attributes(envelope(ACCOUNT)) == {"who": "account"}
    assert adapter.get_attributes(envelope(ACCOUNT, ALICE)) == {"who": "alice"}
    assert adapter.get_attributes(envelope(NEIGHBOUR, ALICE)) == {"who": "neighbour's alice"}
    assert sorted(adapter.account_record_keys(envelope(ACCOUNT, BOB)), key=str) == sorted(
        [
            RecordKey(ACCOUNT),
            RecordKey(ACCOUNT, person_tag(ALICE)),
            RecordKey(ACCOUNT, person_tag(BOB)),
        ],
        key=str,
    )
    # Deleting one person's record leaves the others.
    adapter.delete_attributes(envelope(ACCOUNT, ALICE))
    assert adapter.get_attributes(envelope(ACCOUNT, ALICE)) == {}
    assert adapter.get_attributes(envelope(ACCOUNT, BOB)) == {"who": "bob"}
    assert adapter.get_attributes(envelope(ACCOUNT)) == {"who": "account"}


def test_dynamodb_keeps_each_persons_record_and_lists_them_in_one_read(
    moto_dynamodb_table,
) -> None:
    adapter = progress_table_adapter(moto_dynamodb_table.name)
    fill(adapter)
    calls: list[str] = []
    adapter.client.meta.events.register(
        "before-call.dynamodb", lambda model, **_: calls.append(model.name)
    )
    adapter.account_record_keys(envelope(ACCOUNT))
    assert calls == ["GetItem"], "every record of an account is one read, not a scan"
    check(adapter)


def test_the_embedded_store_keeps_each_persons_record_and_lists_them(embedded_store) -> None:
    fill(embedded_store)
    check(embedded_store)


def test_a_session_keeps_the_record_it_began_with() -> None:
    alice = person_tag(ALICE)
    assert record_key(envelope(ACCOUNT, ALICE)) == RecordKey(ACCOUNT, alice)
    # Begun by Alice: a request without her, or with Bob, stays hers.
    assert record_key(envelope(ACCOUNT, None, owner=alice)) == RecordKey(ACCOUNT, alice)
    assert record_key(envelope(ACCOUNT, BOB, owner=alice)) == RecordKey(ACCOUNT, alice)
    # Begun by no one recognised: the account's record throughout.
    assert record_key(envelope(ACCOUNT, BOB, owner="")) == RecordKey(ACCOUNT)
    # A damaged owner is ignored: the request's own person decides.
    assert record_key(envelope(ACCOUNT, BOB, owner="../x")) == RecordKey(ACCOUNT, person_tag(BOB))

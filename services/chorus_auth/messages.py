"""Conversions from the auth service's records to its messages."""

from datetime import datetime

from google.protobuf import timestamp_pb2

from chorus.auth.v1 import auth_service_pb2 as pb
from chorus_auth.records import UserRecord
from chorus_auth.sessions import IssuedSession


def user_message(user: UserRecord) -> pb.User:
    message = pb.User(id=user.id, email=user.email)
    message.create_time.CopyFrom(timestamp(user.created_at))
    return message


def session_message(issued: IssuedSession) -> pb.Session:
    return pb.Session(
        access_token=issued.access.token,
        token_type="Bearer",  # noqa: S106 (a scheme name, not a secret)
        access_token_expire_time=timestamp(issued.access.expires_at),
        refresh_token=issued.refresh_token,
        refresh_token_expire_time=timestamp(issued.refresh_expires_at),
    )


def timestamp(value: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(value)
    return stamp

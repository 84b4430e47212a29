"""The chat's database (SQLAlchemy 2, DATABASE_URL, SQLite by default): the message archive that
`archive.py` exports and the `search` event reads."""

import os

from sqlalchemy import DateTime, Integer, String, create_engine, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

engine = create_engine(os.environ.get("DATABASE_URL", "sqlite:///chat.db"))
SessionLocal = sessionmaker(engine)


class Base(DeclarativeBase):
    pass


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room: Mapped[str] = mapped_column(String(100), index=True)
    text: Mapped[str] = mapped_column(String(2000))
    author: Mapped[str | None] = mapped_column(String(100))
    sent_at: Mapped[DateTime] = mapped_column(DateTime, server_default=func.now())


Base.metadata.create_all(engine)

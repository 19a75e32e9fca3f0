"""The route table: one tree of meeting routes, mounted at / and at /m/{slug}."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from meeting import api
from meeting.config import STATIC_DIR
from meeting.web import accounts, agenda, calendars, feeds, live, notices, pages


def meeting_routes() -> list[BaseRoute]:
    return [
        Route("/", pages.home, name="home"),
        Route("/program", pages.program, name="program"),
        Route("/sessions/{code}.ics", calendars.session_calendar, name="session_ics"),
        Route("/sessions/{code}", pages.session_page, name="session"),
        Route("/speakers/{speaker_id:int}", pages.speaker_page, name="speaker"),
        Route("/schedule.xml", feeds.schedule_xml, name="schedule_xml"),
        Route("/schedule.json", feeds.schedule_json, name="schedule_json"),
        Route("/program.ics", calendars.program_calendar, name="program_ics"),
        Route("/tracks/{track}.ics", calendars.track_calendar, name="track_ics"),
        Route("/feeds/{token}.ics", calendars.agenda_feed, name="agenda_feed"),
        Route("/register", accounts.register_form, methods=["GET"]),
        Route("/register", accounts.register_submit, methods=["POST"]),
        Route("/login", accounts.login_form, methods=["GET"]),
        Route("/login", accounts.login_submit, methods=["POST"]),
        Route("/logout", accounts.logout_submit, methods=["POST"]),
        Route("/agenda", agenda.agenda_page, methods=["GET"]),
        Route("/agenda/add", agenda.agenda_add, methods=["POST"]),
        Route("/agenda/remove", agenda.agenda_remove, methods=["POST"]),
        Route("/agenda/notices/dismiss", agenda.notices_dismiss, methods=["POST"]),
        Route("/agenda/calendar/link", calendars.replace_feed_link, methods=["POST"]),
        Route("/agenda/calendar/settings", calendars.save_calendar_settings, methods=["POST"]),
        Route("/live/{code}", live.live_page, name="live"),
        WebSocketRoute("/ws/rooms/{code}", live.room_socket),
        WebSocketRoute("/ws/me", notices.personal_socket),
        Mount("/api", routes=api.routes()),
    ]


def routes() -> list[BaseRoute]:
    return [
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
        Mount("/m/{slug}", routes=meeting_routes()),
        *meeting_routes(),
    ]

"""A small client of Streamlit's own websocket protocol, so that a load test can be many sessions at once.

Why it exists: a load test of the dashboard should put the server load of twenty people on the server, but
twenty headless Chromium tabs on the two cores of the development machine spend the CPU on drawing; such a
test measures the browsers, not the server. In reality the browsers run on twenty different machines. This
client does what the browser's frontend does on the wire and nothing else: no static files, no JavaScript,
no drawing. It is used by bench/bench_sessions.py only; the app knows nothing of it.

What it sends and reads, as Streamlit 1.67 does (sources under streamlit/ in the venv):
- One websocket per session on /_stcore/stream with the subprotocol "streamlit" and the page's own Origin
  (web/server/starlette/starlette_websocket.py; the XSRF token in the subprotocol list only guards the
  login cookie, which the dashboard does not use).
- Every run is asked for with a BackMsg `rerun_script`, a ClientState (runtime/app_session.py,
  request_rerun): the first run names the page by URL path (`page_name`) with the query string of the link;
  later runs name it by `page_script_hash`. A widget change sends the current query string and the values
  of all widgets on the screen; a page change sends the target's hash, an empty query string (no widget of
  the dashboard is bound to the URL) and only the widgets of the main script, which stay on screen.
  These rules and the value encodings (a select box as `string_value` with the option's text, a multiselect
  as `string_array_value`, a date input as `string_array_value` with ISO dates, a text input as
  `string_value`) were checked against the frames Chromium sends (captured with Playwright).
- The answer is one ForwardMsg per binary frame: `new_session` opens a run (and again after an
  `st.rerun()`), `navigation` lists the pages with their hashes, `page_info_changed` carries the query
  string the app wrote, `delta` carries the elements, `script_finished` ends the run.
- Cacheable messages (large elements) are kept like the frontend's ForwardMsgCache keeps them and their
  hashes are sent with every rerun; the server then sends `ref_hash` instead of the element again
  (runtime/scriptrunner_utils/script_run_context.py, enqueue).

Widgets other than select boxes, multiselects, text and date inputs are not tracked; the dashboard's
shared filters use only these four.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

STREAM_PATH = "/_stcore/stream"
# The server's own default limit for one message (server.maxMessageSize, 200 MB).
MAX_MESSAGE_BYTES = 200 * 1024 * 1024
DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


class ProtocolError(RuntimeError):
    """The run did not end as a browser would accept: closed socket, timeout, compile error, unknown reference."""


@dataclass
class Run:
    """One script run as the client saw it: the elements in the order they arrived, with their arrival times."""

    seconds: float = 0.0
    status: int = ForwardMsg.FINISHED_SUCCESSFULLY
    elements: list[tuple[float, Element]] = field(default_factory=list)
    compile_errors: list[str] = field(default_factory=list)

    def metric(self, label: str) -> tuple[float, str] | None:
        """Seconds after the request and shown value of the first metric with this label, as a reader sees it."""
        for seconds, element in self.elements:
            if element.WhichOneof("type") == "metric" and element.metric.label == label:
                return seconds, element.metric.body
        return None

    def text(self) -> str:
        """Everything the run wrote as text (markdown, alerts, headings), to look for a phrase in it."""
        found = []
        for _seconds, element in self.elements:
            kind = element.WhichOneof("type")
            if kind in ("markdown", "alert", "heading", "text"):
                found.append(getattr(element, kind).body)
        return "\n".join(found)

    def problems(self) -> list[str]:
        """Exceptions and error boxes the run showed: on a working dashboard, none."""
        found = list(self.compile_errors)
        for _seconds, element in self.elements:
            kind = element.WhichOneof("type")
            if kind == "exception":
                found.append(f"Ausnahme {element.exception.type}: {element.exception.message}")
            elif kind == "alert" and element.alert.format == element.alert.ERROR:
                found.append(f"Fehlermeldung: {element.alert.body}")
        return found


def _widget_value(element: Element) -> WidgetState | None:
    """The value the frontend stores for a widget it has just drawn: the server's, else the default."""
    kind = element.WhichOneof("type")
    state = WidgetState()
    if kind == "multiselect":
        widget = element.multiselect
        state.id = widget.id
        values = widget.raw_values if widget.set_value else [widget.options[i] for i in widget.default]
        state.string_array_value.data.extend(values)
    elif kind == "selectbox":
        widget = element.selectbox
        if widget.set_value:
            state.string_value = widget.raw_value
        elif widget.HasField("default") and widget.options:
            state.string_value = widget.options[widget.default]
        else:
            return None
        state.id = widget.id
    elif kind == "text_input":
        widget = element.text_input
        state.id = widget.id
        state.string_value = widget.value if widget.set_value else widget.default
    elif kind == "date_input":
        widget = element.date_input
        state.id = widget.id
        state.string_array_value.data.extend(widget.value if widget.set_value else widget.default)
    else:
        return None
    return state


def _label(element: Element) -> str:
    kind = element.WhichOneof("type")
    return getattr(element, kind).label if kind else ""


class Session:
    """One dashboard tab on the wire. Create it with `Session.open`; one request at a time."""

    def __init__(self, websocket: ClientConnection, base_url: str) -> None:
        self._websocket = websocket
        self._base_url = base_url
        self.query_string = ""
        self.page_script_hash = ""
        self.main_script_hash = ""
        self.pages: dict[str, str] = {}
        # Widget id -> (hash of the script that drew it, its value), as the frontend's WidgetStateManager.
        self._widgets: dict[str, tuple[str, WidgetState]] = {}
        self._labels: dict[str, str] = {}
        # Message hash -> (message, run count when last used), as the frontend's ForwardMsgCache.
        self._cache: dict[str, tuple[ForwardMsg, int]] = {}
        self._run_count = 0
        self._max_cache_age = 2

    @classmethod
    async def open(
        cls, base_url: str, path: str = "", query_string: str = "", timeout: float = 30
    ) -> tuple[Session, Run]:
        """Connect as a browser opening base_url/path?query_string does, and wait for the first run."""
        websocket = await connect(
            base_url.replace("http", "ws", 1) + STREAM_PATH,
            origin=base_url,
            subprotocols=["streamlit"],
            max_size=MAX_MESSAGE_BYTES,
            proxy=None,
            ping_interval=None,
            open_timeout=timeout,
            close_timeout=5,
        )
        session = cls(websocket, base_url)
        try:
            run = await session._rerun(query_string=query_string, page_name=path, widgets=[], timeout=timeout)
        except BaseException:
            await session.close()
            raise
        return session, run

    async def close(self) -> None:
        """Close the websocket as a closing tab does; the server then ends the session."""
        await self._websocket.close()

    def widget_id(self, label: str) -> str:
        """The id the server gave the widget with this label in the last run."""
        return self._labels[label]

    async def set_multiselect(self, label: str, values: list[str], timeout: float = 30) -> Run:
        """Choose exactly these options in a multiselect, as picking them in the browser does."""
        state = WidgetState(id=self.widget_id(label))
        state.string_array_value.data.extend(values)
        script = self._widgets[state.id][0]
        self._widgets[state.id] = (script, state)
        return await self._rerun(
            query_string=self.query_string,
            page_script_hash=self.page_script_hash,
            widgets=[value for _script, value in self._widgets.values()],
            timeout=timeout,
        )

    async def goto(self, url_pathname: str, timeout: float = 30) -> Run:
        """Open another page by its link in the sidebar navigation."""
        return await self._rerun(
            page_script_hash=self.pages[url_pathname],
            widgets=[value for script, value in self._widgets.values() if script == self.main_script_hash],
            timeout=timeout,
        )

    async def _rerun(
        self,
        *,
        widgets: list[WidgetState],
        timeout: float,
        query_string: str = "",
        page_name: str = "",
        page_script_hash: str = "",
    ) -> Run:
        request = BackMsg()
        state = request.rerun_script
        state.query_string = query_string
        state.page_name = page_name
        state.page_script_hash = page_script_hash
        state.widget_states.widgets.extend(widgets)
        state.cached_message_hashes.extend(self._cache)
        path = next((p for p, h in self.pages.items() if h == page_script_hash), page_name)
        state.context_info.timezone = "Europe/Berlin"
        state.context_info.timezone_offset = -60
        state.context_info.locale = "de-DE"
        state.context_info.url = f"{self._base_url}/{path}"
        state.context_info.is_embedded = False
        state.context_info.color_scheme = "light"
        start = time.perf_counter()
        try:
            async with asyncio.timeout(timeout):
                await self._websocket.send(request.SerializeToString())
                return await self._receive(start)
        except TimeoutError:
            raise ProtocolError(f"kein Ende des Laufs nach {timeout:.0f} s") from None
        except ConnectionClosed as closed:
            raise ProtocolError(f"Websocket geschlossen: {closed}") from None

    async def _receive(self, start: float) -> Run:
        """Read ForwardMsgs until the run this request started has finished."""
        run = Run()
        seen: set[str] = set()
        while True:
            message = self._resolve(ForwardMsg.FromString(await self._websocket.recv(decode=False)))
            kind = message.WhichOneof("type")
            if kind == "new_session":
                run = Run()
                seen = set()
                self.main_script_hash = message.new_session.main_script_hash
                self.page_script_hash = message.new_session.page_script_hash
                self._max_cache_age = message.new_session.config.max_cached_message_age
            elif kind == "navigation":
                self.pages = {page.url_pathname: page.page_script_hash for page in message.navigation.app_pages}
                self.page_script_hash = message.navigation.page_script_hash
            elif kind == "page_info_changed":
                self.query_string = message.page_info_changed.query_string
            elif kind == "session_event" and message.session_event.HasField("script_compilation_exception"):
                error = message.session_event.script_compilation_exception
                run.compile_errors.append(f"Übersetzungsfehler {error.type}: {error.message}")
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                run.elements.append((time.perf_counter() - start, element))
                self._remember_widget(message.metadata.active_script_hash, element, seen)
            elif kind == "script_finished" and message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                run.seconds = time.perf_counter() - start
                run.status = message.script_finished
                if run.status not in DONE:
                    raise ProtocolError(f"Lauf endete mit Status {run.status}: {run.compile_errors}")
                self._widgets = {key: value for key, value in self._widgets.items() if key in seen}
                self._age_cache()
                return run

    def _resolve(self, message: ForwardMsg) -> ForwardMsg:
        """Replace a reference by the cached message it names, and cache what the frontend would cache."""
        if message.WhichOneof("type") == "ref_hash":
            if message.ref_hash not in self._cache:
                raise ProtocolError(f"Verweis auf unbekannte Nachricht {message.ref_hash}")
            cached, _used = self._cache[message.ref_hash]
            self._cache[message.ref_hash] = (cached, self._run_count)
            resolved = ForwardMsg()
            resolved.CopyFrom(cached)
            resolved.metadata.CopyFrom(message.metadata)
            return resolved
        if message.metadata.cacheable and message.hash and message.hash not in self._cache:
            self._cache[message.hash] = (message, self._run_count)
        return message

    def _age_cache(self) -> None:
        self._run_count += 1
        self._cache = {
            key: (message, used)
            for key, (message, used) in self._cache.items()
            if self._run_count - used <= self._max_cache_age
        }

    def _remember_widget(self, script: str, element: Element, seen: set[str]) -> None:
        value = _widget_value(element)
        if value is None:
            return
        seen.add(value.id)
        self._labels[_label(element)] = value.id
        kind = element.WhichOneof("type")
        if value.id not in self._widgets or getattr(element, kind).set_value:
            self._widgets[value.id] = (script, value)
        else:
            self._widgets[value.id] = (script, self._widgets[value.id][1])

"""The parts of Slack's payloads that bot/slack.py reads, and the messages and modal it sends, as TypedDicts (declarations for the type checker only: bolt
hands the listeners plain dicts, and bot/slack.py imports this module under TYPE_CHECKING).

Every class is `total=False`: Slack documents many optional shapes, and a field this code does not read is not
declared. The names follow Slack's documentation: the Events API's `message` and `app_mention` events, slash
commands, and the `block_actions` and `view_submission` interaction payloads
(https://api.slack.com/reference/interaction-payloads).
"""

from typing import Any, TypedDict


class Ref(TypedDict, total=False):
    """An object Slack names by id: a payload's `user`, `channel` or `team`."""

    id: str


class MessageEvent(TypedDict, total=False):
    """A `message` or `app_mention` event."""

    type: str
    channel: str
    channel_type: str  # "im" in a direct message
    user: str
    text: str
    ts: str
    thread_ts: str
    subtype: str  # absent for a person's plain message
    bot_id: str
    bot_profile: dict[str, Any]


class RequestBody(TypedDict, total=False):
    """The body of any request bolt's middleware sees; `event` and `event_id` for the Events API."""

    type: str  # event_callback, block_actions, view_submission, ...
    event_id: str
    event: MessageEvent


class SlashCommand(TypedDict, total=False):
    """A slash command (`/tcr ...`)."""

    command: str
    text: str
    user_id: str
    channel_id: str


class SelectedOption(TypedDict, total=False):
    """The option chosen in a static select menu."""

    value: str


class Action(TypedDict, total=False):
    """One element of a `block_actions` payload: the button or menu used."""

    action_id: str
    type: str  # "button" or "static_select"
    value: str  # a button's value: JSON this bot wrote
    selected_option: SelectedOption


class Container(TypedDict, total=False):
    """Where an interactive element sits."""

    type: str
    channel_id: str
    message_ts: str
    is_ephemeral: bool


class PostedMessage(TypedDict, total=False):
    """The message a button sits on, as `block_actions` carries it."""

    ts: str
    thread_ts: str
    text: str
    blocks: list[dict[str, Any]]


class InputValue(TypedDict, total=False):
    """A plain-text input's submitted value."""

    type: str
    value: str


class ViewState(TypedDict, total=False):
    """A submitted modal's inputs: block id -> action id -> value."""

    values: dict[str, dict[str, InputValue]]


class View(TypedDict, total=False):
    """A modal (`view_submission`'s `view`)."""

    callback_id: str
    private_metadata: str  # JSON this bot wrote
    state: ViewState


class InteractionBody(TypedDict, total=False):
    """A `block_actions` or `view_submission` payload."""

    type: str
    user: Ref
    channel: Ref
    container: Container
    message: PostedMessage
    trigger_id: str
    view: View


# --- what this bot sends: the JSON objects bot/templates/slack/*.json.j2 render (bot.slack.message and modal) -----
Block = dict[str, Any]  # a Block Kit block as a template writes it (https://api.slack.com/reference/block-kit/blocks)


class Message(TypedDict):
    """A message this bot sends: the arguments of chat.postMessage, chat.update, chat.postEphemeral and respond
    besides where it goes."""

    text: str  # the notification's and screen readers' fallback for the blocks
    blocks: list[Block]


class Modal(TypedDict):
    """The modal views.open shows (https://api.slack.com/reference/surfaces/views)."""

    type: str  # "modal"
    callback_id: str
    title: dict[str, Any]  # plain_text objects
    submit: dict[str, Any]
    close: dict[str, Any]
    private_metadata: str  # JSON this bot reads back from the submission
    blocks: list[Block]

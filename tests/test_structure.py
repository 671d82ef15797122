"""knowledge.structure: a message's own sentences apart from what was pasted (issue 11, item 2)."""

from __future__ import annotations

import knowledge
from knowledge.structure import is_prose, question_view

DOCKER_VERSION = "\n".join(
    [
        "```",
        "$ docker version",
        "Client:",
        " Version:           24.0.7",
        " API version:       1.43",
        " Go version:        go1.20.10",
        " Git commit:        afdd53b",
        " OS/Arch:           linux/amd64",
        "Server: Docker Engine - Community",
        " Engine:",
        "  Version:          24.0.7",
        "  API version:      1.43 (minimum version 1.12)",
        " containerd:",
        "  Version:          1.6.25",
        "```",
    ]
)


def test_a_short_text_is_its_own_view():
    text = "docker login 报错 unauthorized: authentication required"
    assert question_view(text) == text


def test_the_view_keeps_sentences_commands_and_errors_and_drops_the_rest():
    text = (
        "### Describe the bug\n\n"
        "Pushing to our registry fails since this morning, the same image worked yesterday.\n"
        "```\n$ docker push shop.tencentcloudcr.com/team/app:1\n"
        "The push refers to repository [shop.tencentcloudcr.com/team/app]\n"
        "5f70bf18a086: Preparing\n"
        "denied: requested access to the resource is denied\n```\n"
        + DOCKER_VERSION
        + "\n### Environment\n- OS: CentOS 7.9\n_No response_"
    )
    view = question_view(text).splitlines()
    assert "Pushing to our registry fails since this morning, the same image worked yesterday." in view
    assert "$ docker push shop.tencentcloudcr.com/team/app:1" in view
    assert "denied: requested access to the resource is denied" in view
    assert not any("Version" in line or "Describe the bug" in line or "No response" in line for line in view)


def test_many_error_lines_keep_the_first_two_and_the_last_two():
    lines = [f"error: attempt {i} failed" for i in range(10)]
    view = question_view("Pulls keep failing on every node of the cluster\n" + "\n".join(lines)).splitlines()
    assert view == ["Pulls keep failing on every node of the cluster", *lines[:2], *lines[-2:]]


def test_prose_inside_a_code_fence_is_output():
    assert is_prose("the description of my application goes here")
    view = question_view(
        "Why is my pull refused every time?\n```\ndescription: the description of my application\n```\nx\ny"
    )
    assert "description" not in view


def test_a_version_dump_after_the_question_does_not_change_the_answer():
    for question in (
        "docker login kaiwu.tencentcloudcr.com 报错 Error response from daemon: unauthorized: authentication required",
        "怎么确认我的机器访问镜像仓库走的是内网",
    ):
        alone = knowledge.ask(question)
        pasted = knowledge.ask(question + "\n\n" + DOCKER_VERSION)
        assert alone["matched"], question
        assert pasted["matched"] and pasted["answer"]["id"] == alone["answer"]["id"], question


def test_the_envelope_of_a_message_is_not_matched():
    from knowledge.structure import strip_envelope

    assert strip_envelope("大佬们帮忙看下，登不上实例，咋整\n急，在线等，谢谢！") == "登不上实例，咋整"
    assert strip_envelope("各位大佬好，求助：推送镜像一直 denied") == "推送镜像一直 denied"
    assert strip_envelope("Hi team, docker push fails with denied. Any idea? Thanks") == "docker push fails with denied"
    assert strip_envelope("谢谢") == "谢谢"  # nothing else: the text stays (small talk is decided before)


def test_a_plea_around_a_short_question_does_not_lose_the_answer():
    question = "登不上实例，咋整"
    alone = knowledge.ask(question)
    pleaded = knowledge.ask("大佬们帮忙看下，" + question + "\n急，在线等，谢谢！")
    assert alone["matched"] and pleaded["matched"] and pleaded["answer"]["id"] == alone["answer"]["id"]

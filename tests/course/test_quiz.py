"""Self-check quizzes (kernelsim.course.quiz): the logic, driven like a learner would, in plain Python."""

import pytest

from kernelsim.course import Question, Quiz, language, localize, quiz

NAMESPACE_QUESTION = {
    "question": {"en": "Which namespace holds the node Leases?", "ko": "노드의 Lease는 어느 네임스페이스에 있나요?"},
    "options": ["default", "kube-system", "kube-node-lease"],
    "answer": 2,
    "explanation": {"en": "Each kubelet renews its Lease in `kube-node-lease`.",
                    "ko": "kubelet은 `kube-node-lease`에서 자기 Lease를 갱신합니다."},
}


def test_a_correct_answer_gets_praise_and_the_explanation():
    q = quiz("2 + 2?", ["3", "4", "5"], answer=1, explanation="Two and two make four.", lang="en")
    item = q.questions[0]
    item.radio.value = 1
    item.check_button.click()
    assert item.correct is True
    assert item.feedback_text == "✅ Correct! Two and two make four."
    assert q.score == 1


def test_a_wrong_answer_says_so_and_can_be_retried():
    q = quiz("2 + 2?", ["3", "4", "5"], answer=1, lang="en")
    item = q.questions[0]
    item.radio.value = 2
    item.check_button.click()
    assert item.correct is False
    assert item.feedback_text.startswith("❌ Not quite.")
    assert q.score == 0
    item.radio.value = 1
    item.check_button.click()
    assert item.feedback_text == "✅ Correct!"
    assert q.score == 1


def test_checking_without_a_choice_asks_for_one():
    item = quiz("2 + 2?", ["3", "4"], answer=1, lang="ko").questions[0]
    assert item.radio.value is None
    item.check_button.click()
    assert item.correct is None
    assert item.feedback_text == "먼저 답을 하나 고르세요."


def test_feedback_and_texts_follow_the_language():
    for lang, verdict, word in (("en", "✅ Correct!", "Check"), ("ko", "✅ 정답입니다!", "확인")):
        q = Quiz([NAMESPACE_QUESTION], lang=lang)
        item = q.questions[0]
        assert item.check_button.description == word
        assert item.radio.options == (("default", 0), ("kube-system", 1), ("kube-node-lease", 2))
        assert localize(NAMESPACE_QUESTION["question"], lang) in item.prompt.value
        item.radio.value = 2
        item.check_button.click()
        explanation = localize(NAMESPACE_QUESTION["explanation"], lang).replace("`", "")
        assert item.feedback_text == f"{verdict} {explanation}"
        assert "<code>kube-node-lease</code>" in item.feedback.value


def test_answer_can_be_given_as_the_option_text():
    q = Question({"en": "Pick b", "ko": "b를 고르세요"}, ["a", {"en": "b", "ko": "나"}], answer="나")
    assert q.answer == 1
    with pytest.raises(ValueError):
        Question("?", ["a", "b"], answer="c")
    with pytest.raises(ValueError):
        Question("?", ["a", "b"], answer=2)
    with pytest.raises(ValueError):
        Question("?", ["only one"], answer=0)


def test_a_quiz_numbers_its_questions_and_scores_them_separately():
    q = Quiz([NAMESPACE_QUESTION, ("1 + 1?", ["2", "3"], 0)], lang="en")
    first, second = q.questions
    assert first.prompt.value.startswith("<b>Question 1.</b>")
    assert second.prompt.value.startswith("<b>Question 2.</b>")
    first.radio.value = 2
    first.check_button.click()
    second.radio.value = 1
    second.check_button.click()
    assert (first.correct, second.correct, q.score) == (True, False, 1)


def test_plain_text_shows_the_questions_but_not_the_answer():
    q = Quiz([NAMESPACE_QUESTION], lang="ko")
    bundle = q._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    text = bundle["text/plain"]
    assert text.splitlines()[0] == "[셀프 체크]"
    assert "노드의 Lease는 어느 네임스페이스에 있나요?" in text and "( ) kube-node-lease" in text
    assert "kubelet" not in text  # the explanation stays hidden until the learner checks


def test_language_comes_from_the_environment_or_the_notebook_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("KERNELSIM_LANG", raising=False)
    (tmp_path / "ko").mkdir()
    (tmp_path / "en").mkdir()
    monkeypatch.chdir(tmp_path / "ko")
    assert language() == "ko"
    monkeypatch.chdir(tmp_path / "en")
    assert language() == "en"
    monkeypatch.chdir(tmp_path)
    assert language() == "en"
    monkeypatch.setenv("KERNELSIM_LANG", "ko")
    assert language() == "ko"
    assert Quiz([NAMESPACE_QUESTION]).lang == "ko"

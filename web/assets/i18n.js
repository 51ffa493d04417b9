// The site's own words in Korean and English. Policy facts (items, purposes, retention, contacts,
// cookie categories, versions) are never written here: the pages take them from GET /v1/policy.

export const LANGUAGES = ["ko", "en"];

/** ?lang= in the address, otherwise the browser's preference between Korean and English, else Korean. */
export function currentLanguage() {
  const asked = new URLSearchParams(location.search).get("lang");
  if (LANGUAGES.includes(asked)) return asked;
  for (const tag of navigator.languages || [navigator.language || ""]) {
    const primary = String(tag).toLowerCase().split("-")[0];
    if (LANGUAGES.includes(primary)) return primary;
  }
  return "ko";
}

/** The same page in the other language; other query parameters (an unsubscribe token, say) are kept. */
export function urlInLanguage(language, href = location.href) {
  const url = new URL(href, location.href);
  url.searchParams.set("lang", language);
  return url.pathname + url.search + url.hash;
}

const STRINGS = {
  ko: {
    "site.tagline": "개인정보 보호 샘플 사이트",
    "skip": "본문으로 바로가기",
    "nav.label": "주요 메뉴",
    "nav.home": "홈",
    "nav.contact-us": "문의하기",
    "nav.resources-download": "자료 다운로드",
    "nav.blog-subscription": "블로그 레터 구독",
    "nav.policy": "개인정보 처리방침",
    "nav.rights": "내 정보 열람·정정·삭제",
    "switch.to": "English",
    "footer.policy": "개인정보 처리방침",
    "footer.cookies": "쿠키 설정",
    "footer.rights": "내 정보 열람·정정·삭제",
    "footer.note": "이 사이트는 Policybound API의 샘플입니다. 개인정보는 AWS 서울 리전에만 보관됩니다.",
    "notice.change": "개인정보 처리방침 변경 안내: {date}부터 새 처리방침({version})이 시행됩니다.",
    "notice.read": "변경 내용 보기",
    "loading": "불러오는 중…",
    "error.load": "정책 정보를 불러오지 못했습니다. 잠시 후 새로고침해 주세요.",
    "error.network": "서버에 연결하지 못했습니다. 아무것도 저장되지 않았습니다. 연결을 확인하고 다시 시도해 주세요.",
    "error.server": "서버의 응답:",
    "error.retry": "다시 시도",

    "home.title": "개인정보를 약속한 대로만 다룹니다",
    "home.lead":
      "아래 양식은 개인정보 처리방침에 적힌 항목만, 동의를 받은 경우에만 수집합니다. 보관 기간이 지나면 복구할 수 없도록 파기합니다.",
    "home.forms": "양식",
    "home.more": "더 알아보기",
    "home.policy": "무엇을 왜, 얼마 동안 보관하는지 읽어 보세요.",
    "home.rights": "이메일 인증 후 내 정보를 열람·정정·삭제할 수 있습니다.",
    "home.open": "열기",
    "home.collects": "필수 {required}개 항목, 선택 {optional}개 항목 · 보유기간 {months}개월",

    "form.intro": "* 표시는 필수 항목입니다. 선택 항목은 선택 동의를 한 경우에만 보관합니다.",
    "form.required.legend": "필수 정보",
    "form.optional.legend": "선택 정보",
    "form.optional.none": "이 양식에는 선택 항목이 없습니다.",
    "form.required.mark": "필수",
    "form.optional.mark": "선택",
    "form.resource.choose": "자료를 선택하세요",
    "form.child.legend": "만 14세 미만 아동",
    "form.child.label": "만 14세 미만입니다. (법정대리인의 동의가 필요합니다)",
    "form.child.explain":
      "법정대리인(부모 등)에게 동의 코드를 보냅니다. 법정대리인이 동의하기 전에는 정보를 이용하지 않으며, 기한까지 동의하지 않으면 파기합니다.",
    "form.child.name": "법정대리인 이름",
    "form.child.email": "법정대리인 이메일",
    "form.child.contact": "법정대리인 연락처",
    "form.consent.heading": "개인정보 수집·이용 동의",
    "form.consent.required.legend": "[필수] 개인정보 수집·이용 동의",
    "form.consent.optional.legend": "[선택] 개인정보 수집·이용 동의",
    "form.consent.items": "수집 항목",
    "form.consent.purposes": "이용 목적",
    "form.consent.retention": "보유 기간",
    "form.consent.retention.value": "동의일로부터 {months}개월 보관 후 지체 없이 파기",
    "form.consent.retention.cancel": "구독을 해지하면 즉시 파기",
    "form.consent.required.label": "위 필수 항목의 수집·이용에 동의합니다. (필수)",
    "form.consent.optional.label": "위 선택 항목의 수집·이용에 동의합니다. (선택)",
    "form.consent.marketing.legend": "[선택] 마케팅 활용 동의",
    "form.consent.marketing.label": "위 항목을 이메일 마케팅에 활용하는 데 동의합니다. (선택)",
    "form.consent.refuse.marketing":
      "동의하지 않아도 자료를 받으실 수 있으며, 정보는 자료 제공에만 이용합니다. 동의는 언제든 철회할 수 있습니다.",
    "form.consent.refuse.required":
      "동의를 거부할 권리가 있습니다. 다만 필수 항목에 동의하지 않으면 이 양식을 제출할 수 없습니다.",
    "form.consent.refuse.optional": "동의하지 않아도 양식을 제출할 수 있으며, 선택 항목은 보관하지 않고 버립니다.",
    "form.submit": "제출",
    "form.sending": "보내는 중…",
    "form.errors.title": "제출하지 못했습니다",
    "form.errors.fix": "아래 항목을 확인해 주세요.",
    "form.reload.policy": "현재 처리방침 다시 불러오기",
    "form.policy.reloaded": "현재 처리방침을 다시 불러왔습니다. 내용을 확인하고 다시 동의해 주세요.",

    "check.required": "{label}: 필수 항목입니다.",
    "check.too_long": "{label}: {max}자 이하로 입력해 주세요.",
    "check.email": "{label}: 올바른 이메일 주소가 아닙니다.",
    "check.phone": "{label}: 전화번호 형식이 아닙니다. 예: 010-1234-5678 또는 +82 10-1234-5678",
    "check.identifier": "{label}: 영문, 숫자, '.', '_', '-'만 쓸 수 있습니다.",
    "check.control": "{label}: 제어 문자를 포함할 수 없습니다.",
    "check.consent":
      "필수 항목의 수집·이용에 동의하지 않아 아무것도 저장하지 않았습니다. 제출하려면 필수 동의에 체크해 주세요.",

    "receipt.title": "접수되었습니다",
    "receipt.lead": "아래는 저장된 내용에 대한 확인증입니다.",
    "receipt.id": "접수 번호",
    "receipt.received": "접수 일시",
    "receipt.kept": "보관한 항목",
    "receipt.dropped": "보관하지 않은 항목",
    "receipt.dropped.why": "선택 동의를 하지 않아 저장하지 않고 버렸습니다.",
    "receipt.none": "없음",
    "receipt.purposes": "이용 목적",
    "receipt.until": "보관 기한",
    "receipt.until.value": "{until}까지 보관 후 지체 없이 파기",
    "receipt.version": "동의한 처리방침 버전",
    "receipt.mail": "구독 확인 메일을 보냈습니다. 메일의 링크로 언제든 구독을 해지할 수 있으며, 해지하면 정보는 즉시 파기됩니다.",
    "receipt.rights": "내 정보는 {link}에서 열람·정정·삭제할 수 있습니다.",
    "receipt.rights.link": "내 정보 페이지",
    "receipt.again": "새로 작성하기",
    "receipt.guardian":
      "법정대리인에게 동의 코드를 보냈습니다. 법정대리인이 동의하기 전에는 정보를 이용하지 않으며, 기한까지 동의하지 않으면 파기합니다.",

    "cookie.title": "쿠키 사용 안내",
    "cookie.text":
      "사이트 동작에 꼭 필요한 쿠키는 항상 사용합니다. 그 밖의 쿠키는 동의한 경우에만 사용하며, 선택 전에는 저장하지 않습니다.",
    "cookie.categories": "동의가 필요한 쿠키",
    "cookie.category.strictly_necessary": "필수 쿠키",
    "cookie.category.analytics": "분석 쿠키",
    "cookie.category.marketing": "마케팅 쿠키",
    "cookie.allow": "모두 허용",
    "cookie.choose": "직접 선택",
    "cookie.block": "모두 거부",
    "rights.cookies.title": "쿠키 동의 철회",
    "rights.cookies.text":
      "쿠키 동의는 이름이나 이메일 주소 없이 이 브라우저에만 저장되므로 본인 확인 없이 철회할 수 있습니다. 쿠키 설정에서 동의를 철회하면 그 동의로 기록된 방문 기록(방문 일시, 페이지, IP 주소)을 지체 없이 모두 삭제하고, 그 후에는 방문 기록을 남기지 않습니다.",
    "rights.cookies.open": "쿠키 설정 열기",
    "cookie.save": "선택 저장",
    "cookie.cancel": "닫기",
    "cookie.settings.title": "쿠키 설정",
    "cookie.settings.legend": "쿠키 구분",
    "cookie.settings.lead": "언제든 바꿀 수 있습니다. 허용을 철회하면 해당 쿠키를 바로 삭제합니다.",
    "cookie.always": "항상 사용",
    "cookie.current": "현재 선택: {choice}",
    "cookie.current.none": "아직 선택하지 않았습니다.",
    "cookie.choice.all": "모두 허용",
    "cookie.choice.none": "모두 거부",
    "cookie.choice.selected": "직접 선택",
    "cookie.saved": "쿠키 선택을 저장했습니다.",
    "cookie.withdraw": "동의 철회 및 방문 기록 삭제",
    "cookie.withdrawn": "쿠키 동의를 철회했습니다. 이 동의로 기록된 방문 기록은 모두 삭제했습니다.",
    "cookie.changed": "개인정보 처리방침이 바뀌었습니다. 쿠키 사용 여부를 다시 선택해 주세요.",
    "cookie.failed": "쿠키 선택을 저장하지 못했습니다. 동의가 필요한 쿠키는 사용하지 않습니다.",
    "cookie.browser.title": "브라우저에서 쿠키를 거부하는 방법",
    "cookie.browser.lead":
      "웹 브라우저의 옵션에서 모든 쿠키를 허용하거나, 저장할 때마다 확인하거나, 모든 쿠키를 차단할 수 있습니다. 쿠키를 차단하면 일부 서비스 이용이 제한될 수 있습니다.",
    "cookie.browser.chrome": "Chrome: 설정 > 개인정보 보호 및 보안 > 서드 파티 쿠키 (또는 사이트 설정 > 쿠키 및 사이트 데이터)",
    "cookie.browser.edge": "Edge: 설정 > 쿠키 및 사이트 권한 > 쿠키 및 사이트 데이터 관리 및 삭제",
    "cookie.browser.firefox": "Firefox: 설정 > 개인 정보 및 보안 > 쿠키 및 사이트 데이터",
    "cookie.browser.safari": "Safari: 설정 > 개인정보 보호 > 모든 쿠키 차단",
    "cookie.browser.ie": "Internet Explorer: 도구 > 인터넷 옵션 > 개인정보",

    "policy.title": "개인정보 처리방침",
    "policy.version": "버전 {version} · 시행일 {date}",
    "policy.s6.link": "온라인으로 열람·정정·삭제하기",
    "policy.s7.category": "구분",
    "policy.s7.purpose": "목적",
    "policy.s7.consent": "동의",
    "policy.s7.needed": "필요 없음 (필수)",
    "policy.s7.asked": "동의 시에만 사용",
    "policy.s7.settings": "쿠키 설정 열기",
    "policy.s12": "12. 고지의 의무",
    "policy.s12.none": "현재 예고된 변경 사항이 없습니다.",
    "policy.s12.change": "버전 {version}: {effective} 시행 ({announced} 공지)",

    "rights.title": "내 정보 열람·정정·삭제",
    "rights.lead":
      "이메일 주소로 받은 인증 코드로 본인임을 확인한 뒤, 보관 중인 내 정보를 열람하고 정정하거나 삭제할 수 있습니다.",
    "rights.step1": "1단계: 인증 코드 요청",
    "rights.email": "이메일 주소",
    "rights.kind": "요청 종류",
    "rights.kind.access": "열람",
    "rights.kind.rectification": "정정",
    "rights.kind.erasure": "삭제",
    "rights.send": "인증 코드 받기",
    "rights.sent":
      "이 주소로 보관 중인 정보가 있다면 인증 코드를 보냈습니다. 메일을 확인해 코드를 입력해 주세요.",
    "rights.step2": "2단계: 인증 코드 입력",
    "rights.code": "인증 코드 (6자리)",
    "rights.verify": "확인",
    "rights.step3": "3단계: 내 정보",
    "rights.none": "보관 중인 정보가 없습니다.",
    "rights.expires": "인증은 {time}까지 유효합니다. 페이지를 닫으면 인증이 사라집니다.",
    "rights.record": "{form} · {received}",
    "rights.status": "상태",
    "rights.status.active": "보관 중",
    "rights.status.restricted": "처리 정지 (정정 중)",
    "rights.status.pending_guardian": "법정대리인 동의 대기",
    "rights.relationship": "관계",
    "rights.relationship.child": "법정대리인으로서 보는 아동의 기록",
    "rights.consent.from": "IP {ip}",
    "rights.until": "보관 기한",
    "rights.consent": "동의 내역",
    "rights.consent.value": "처리방침 {version}, {time} 동의",
    "rights.consent.optional.yes": "선택 항목 동의함",
    "rights.consent.optional.no": "선택 항목 동의하지 않음",
    "rights.provisions": "제3자 제공 내역",
    "rights.provisions.none": "제공한 내역이 없습니다.",
    "rights.correct": "정정",
    "rights.save": "정정 저장",
    "rights.cancel": "취소",
    "rights.delete": "삭제",
    "rights.delete.all": "모두 삭제",
    "rights.confirm.delete": "이 기록을 삭제할까요? 삭제하면 되돌릴 수 없습니다.",
    "rights.confirm.delete.all": "보관 중인 내 정보를 모두 삭제할까요? 삭제하면 되돌릴 수 없습니다.",
    "rights.deleted": "삭제했습니다. 복구할 수 없도록 파기되었습니다.",
    "rights.deleted.all": "모든 기록을 삭제했습니다. 복구할 수 없도록 파기되었습니다.",
    "rights.corrected": "정정했습니다.",
    "rights.other": "서면·전화·이메일로도 요청할 수 있습니다:",

    "guardian.title": "법정대리인 동의",
    "guardian.lead":
      "만 14세 미만 아동이 귀하를 법정대리인으로 지정해 양식을 제출했습니다. 메일로 받은 접수 번호와 동의 코드를 입력하면 동의가 기록됩니다.",
    "guardian.submission": "접수 번호",
    "guardian.code": "동의 코드 (6자리)",
    "guardian.confirm": "동의합니다",
    "guardian.done": "동의가 기록되었습니다. 아동의 정보는 {until}까지 보관한 뒤 파기합니다.",

    "unsub.title": "블로그 레터 구독 해지",
    "unsub.lead": "구독을 해지하면 구독을 위해 보관하던 개인정보를 즉시 파기합니다. 되돌릴 수 없습니다.",
    "unsub.confirm": "구독 해지하고 내 정보 파기하기",
    "unsub.done": "구독을 해지했습니다. 구독 정보는 복구할 수 없도록 파기되었습니다.",
    "unsub.held":
      "구독을 해지했습니다. 법령에 따라 보존해야 하는 정보는 그 목적으로만 보관하며, 보존 의무가 끝나면 지체 없이 파기합니다.",
    "unsub.already": "이미 해지된 구독입니다. 더 이상 메일을 보내지 않습니다.",
    "unsub.until": "해지하지 않으면 {until}까지 보관합니다.",
    "unsub.marketing.title": "마케팅 이메일 수신 거부",
    "unsub.marketing.lead":
      "수신을 거부하면 마케팅 이메일 수신 동의가 철회되어 블로그 레터와 마케팅 이메일을 더 이상 보내지 않습니다. 자료 다운로드 신청 정보는 파기되지 않고 자료 제공 목적으로만 보관합니다.",
    "unsub.marketing.confirm": "마케팅 이메일 수신 거부",
    "unsub.marketing.done":
      "마케팅 이메일 수신 동의가 철회되었습니다. 자료 다운로드 신청 정보는 파기되지 않았으며, 자료 제공 목적으로만 보관한 뒤 보유기간이 끝나면 파기합니다.",
    "unsub.marketing.already": "이미 마케팅 이메일 수신 동의를 철회하셨습니다. 자료 다운로드 신청 정보는 자료 제공 목적으로만 보관합니다.",
    "unsub.marketing.until": "자료 제공 목적으로 {until}까지 보관한 뒤 파기합니다.",
    "unsub.missing": "해지 링크가 올바르지 않습니다. 받은 메일의 링크를 다시 열어 주세요.",
  },
  en: {
    "site.tagline": "Privacy sample site",
    "skip": "Skip to content",
    "nav.label": "Main menu",
    "nav.home": "Home",
    "nav.contact-us": "Contact Us",
    "nav.resources-download": "Resources Download",
    "nav.blog-subscription": "Blog Letter Subscription",
    "nav.policy": "Privacy Policy",
    "nav.rights": "My data",
    "switch.to": "한국어",
    "footer.policy": "Privacy Policy",
    "footer.cookies": "Cookie settings",
    "footer.rights": "View, correct or delete my data",
    "footer.note": "A sample site for the Policybound API. Personal information is kept in the AWS Seoul region only.",
    "notice.change": "Notice of a privacy policy change: a new version ({version}) takes effect on {date}.",
    "notice.read": "Read what changes",
    "loading": "Loading…",
    "error.load": "The policy could not be loaded. Please reload the page in a moment.",
    "error.network": "The server could not be reached. Nothing was stored. Check your connection and try again.",
    "error.server": "The server said:",
    "error.retry": "Try again",

    "home.title": "Personal information, handled only as promised",
    "home.lead":
      "These forms collect only the items the privacy policy lists, and only with your consent. When the retention period ends, the data is destroyed so that it cannot be restored.",
    "home.forms": "Forms",
    "home.more": "Learn more",
    "home.policy": "Read what is collected, why, and for how long.",
    "home.rights": "Confirm your email address, then view, correct or delete your data.",
    "home.open": "Open",
    "home.collects": "{required} required and {optional} optional items · kept {months} months",

    "form.intro": "Items marked * are required. Optional items are kept only if you agree to the optional consent.",
    "form.required.legend": "Required information",
    "form.optional.legend": "Optional information",
    "form.optional.none": "This form has no optional items.",
    "form.required.mark": "required",
    "form.optional.mark": "optional",
    "form.resource.choose": "Choose a resource",
    "form.child.legend": "Children under 14",
    "form.child.label": "I am under 14 (my legal representative must consent)",
    "form.child.explain":
      "We send your legal representative (a parent, for example) a consent code. Until they consent, your information is not used; without their consent in time, it is destroyed.",
    "form.child.name": "Legal representative's name",
    "form.child.email": "Legal representative's email",
    "form.child.contact": "Legal representative's phone",
    "form.consent.heading": "Consent to the collection and use of personal information",
    "form.consent.required.legend": "[Required] Consent to the collection and use of personal information",
    "form.consent.optional.legend": "[Optional] Consent to the collection and use of personal information",
    "form.consent.items": "Items",
    "form.consent.purposes": "Purposes",
    "form.consent.retention": "Retention",
    "form.consent.retention.value": "Kept for {months} months after consent, then destroyed without delay",
    "form.consent.retention.cancel": "destroyed at once if you unsubscribe",
    "form.consent.required.label": "I agree to the collection and use of the required items above. (Required)",
    "form.consent.optional.label": "I agree to the collection and use of the optional items above. (Optional)",
    "form.consent.marketing.legend": "[Optional] Consent to use in marketing",
    "form.consent.marketing.label": "I agree to the use of the items above in email marketing. (Optional)",
    "form.consent.refuse.marketing":
      "You get the resource without this consent; your details are then used only to provide it. You can withdraw this consent at any time.",
    "form.consent.refuse.required":
      "You have the right to refuse. Without consent to the required items, this form cannot be submitted.",
    "form.consent.refuse.optional":
      "You can submit the form without this consent; the optional items are then dropped, not kept.",
    "form.submit": "Submit",
    "form.sending": "Sending…",
    "form.errors.title": "The form was not submitted",
    "form.errors.fix": "Please check the following.",
    "form.reload.policy": "Load the current policy",
    "form.policy.reloaded": "The current policy is loaded. Please read it and give your consent again.",

    "check.required": "{label}: is required.",
    "check.too_long": "{label}: must be at most {max} characters.",
    "check.email": "{label}: is not a valid email address.",
    "check.phone": "{label}: is not a phone number; use digits, e.g. 010-1234-5678 or +82 10-1234-5678.",
    "check.identifier": "{label}: may contain only letters, digits, '.', '_' and '-'.",
    "check.control": "{label}: must not contain control characters.",
    "check.consent":
      "Consent to the collection and use of the required items was not given, so nothing was stored. Tick the required consent box to submit this form.",

    "receipt.title": "Received",
    "receipt.lead": "This is your receipt for what was stored.",
    "receipt.id": "Receipt number",
    "receipt.received": "Received",
    "receipt.kept": "Items kept",
    "receipt.dropped": "Items not kept",
    "receipt.dropped.why": "You did not agree to the optional consent, so these were dropped, not stored.",
    "receipt.none": "None",
    "receipt.purposes": "Purposes",
    "receipt.until": "Kept until",
    "receipt.until.value": "{until}, then destroyed without delay",
    "receipt.version": "Policy version you agreed to",
    "receipt.mail":
      "We sent a confirmation email. Its link unsubscribes you at any time, and your details are then destroyed at once.",
    "receipt.rights": "You can view, correct or delete your data on the {link}.",
    "receipt.rights.link": "my data page",
    "receipt.again": "Fill in the form again",
    "receipt.guardian":
      "We sent your legal representative a consent code. Until they consent, your information is not used; without their consent in time, it is destroyed.",

    "cookie.title": "Cookies on this site",
    "cookie.text":
      "Strictly necessary cookies are always on. Other cookies are used only with your consent, and none is stored before you choose.",
    "cookie.categories": "Cookies that need your consent",
    "cookie.category.strictly_necessary": "Strictly necessary",
    "cookie.category.analytics": "Analytics",
    "cookie.category.marketing": "Marketing",
    "cookie.allow": "Allow all",
    "cookie.choose": "Choose categories",
    "cookie.block": "Block all",
    "rights.cookies.title": "Withdrawing your cookie consent",
    "rights.cookies.text":
      "A cookie consent is kept with no name or email address, only in this browser, so it can be withdrawn without verification. Withdraw it in the cookie settings and every visit recorded under it (time, page, IP address) is deleted at once; no visit is recorded after that.",
    "rights.cookies.open": "Open cookie settings",
    "cookie.save": "Save my choice",
    "cookie.cancel": "Close",
    "cookie.settings.title": "Cookie settings",
    "cookie.settings.legend": "Cookie categories",
    "cookie.settings.lead": "Change your choice at any time. Withdrawing a category deletes its cookies at once.",
    "cookie.always": "Always on",
    "cookie.current": "Your current choice: {choice}",
    "cookie.current.none": "You have not chosen yet.",
    "cookie.choice.all": "allow all",
    "cookie.choice.none": "block all",
    "cookie.choice.selected": "chosen categories",
    "cookie.saved": "Your cookie choice is saved.",
    "cookie.withdraw": "Withdraw consent and delete my visits",
    "cookie.withdrawn": "Your cookie consent is withdrawn, and every visit recorded under it is deleted.",
    "cookie.changed": "The privacy policy has changed. Please choose again which cookies to allow.",
    "cookie.failed": "Your cookie choice could not be saved. Cookies that need consent stay off.",
    "cookie.browser.title": "How to refuse cookies in your browser",
    "cookie.browser.lead":
      "In your web browser's options you can allow all cookies, review each cookie before it is saved, or block all cookies. If you block cookies, some services may not work.",
    "cookie.browser.chrome": "Chrome: Settings > Privacy and security > Third-party cookies (or Site settings > Cookies and site data)",
    "cookie.browser.edge": "Edge: Settings > Cookies and site permissions > Manage and delete cookies and site data",
    "cookie.browser.firefox": "Firefox: Settings > Privacy & Security > Cookies and Site Data",
    "cookie.browser.safari": "Safari: Settings > Privacy > Block all cookies",
    "cookie.browser.ie": "Internet Explorer: Tools > Internet options > Privacy",

    "policy.title": "Privacy Policy",
    "policy.version": "Version {version} · effective {date}",
    "policy.s6.link": "View, correct or delete online",
    "policy.s7.category": "Category",
    "policy.s7.purpose": "Purpose",
    "policy.s7.consent": "Consent",
    "policy.s7.needed": "Not needed (strictly necessary)",
    "policy.s7.asked": "Only with your consent",
    "policy.s7.settings": "Open cookie settings",
    "policy.s12": "12. Duty of notice",
    "policy.s12.none": "No change is announced at present.",
    "policy.s12.change": "Version {version}: effective {effective} (announced {announced})",

    "rights.title": "View, correct or delete my data",
    "rights.lead":
      "Confirm that you are you with a code sent to your email address, then view, correct or delete the data we keep about you.",
    "rights.step1": "Step 1: Ask for a code",
    "rights.email": "Email address",
    "rights.kind": "What you want to do",
    "rights.kind.access": "View",
    "rights.kind.rectification": "Correct",
    "rights.kind.erasure": "Delete",
    "rights.send": "Send me a code",
    "rights.sent": "If we keep data for this address, we have sent a code to it. Check your email and enter the code.",
    "rights.step2": "Step 2: Enter the code",
    "rights.code": "Code (6 digits)",
    "rights.verify": "Confirm",
    "rights.step3": "Step 3: Your data",
    "rights.none": "We keep no data about you.",
    "rights.expires": "Your confirmation is valid until {time}. Closing this page ends it.",
    "rights.record": "{form} · {received}",
    "rights.status": "Status",
    "rights.status.active": "Kept",
    "rights.status.restricted": "Not used (correction pending)",
    "rights.status.pending_guardian": "Waiting for the legal representative's consent",
    "rights.relationship": "Relationship",
    "rights.relationship.child": "A child's record, which you see as their legal representative",
    "rights.consent.from": "from IP {ip}",
    "rights.until": "Kept until",
    "rights.consent": "Consent",
    "rights.consent.value": "Policy {version}, agreed {time}",
    "rights.consent.optional.yes": "agreed to optional items",
    "rights.consent.optional.no": "did not agree to optional items",
    "rights.provisions": "Provided to third parties",
    "rights.provisions.none": "Never provided.",
    "rights.correct": "Correct",
    "rights.save": "Save correction",
    "rights.cancel": "Cancel",
    "rights.delete": "Delete",
    "rights.delete.all": "Delete everything",
    "rights.confirm.delete": "Delete this record? This cannot be undone.",
    "rights.confirm.delete.all": "Delete all data we keep about you? This cannot be undone.",
    "rights.deleted": "Deleted. It was destroyed so that it cannot be restored.",
    "rights.deleted.all": "All records deleted. They were destroyed so that they cannot be restored.",
    "rights.corrected": "Corrected.",
    "rights.other": "You can also ask in writing, by phone or by email:",

    "guardian.title": "Consent as a legal representative",
    "guardian.lead":
      "A child under 14 named you as their legal representative when submitting a form. Enter the submission number and the consent code from your email to record your consent.",
    "guardian.submission": "Submission number",
    "guardian.code": "Consent code (6 digits)",
    "guardian.confirm": "I consent",
    "guardian.done": "Your consent is recorded. The child's information is kept until {until}, then destroyed.",

    "unsub.title": "Unsubscribe from the Blog Letter",
    "unsub.lead":
      "Unsubscribing destroys at once the personal information kept for your subscription. This cannot be undone.",
    "unsub.confirm": "Unsubscribe and destroy my details",
    "unsub.done": "You are unsubscribed. Your subscription details were destroyed and cannot be restored.",
    "unsub.held":
      "You are unsubscribed. Information the law obliges us to preserve is kept for that purpose only, and destroyed without delay when the obligation ends.",
    "unsub.already": "This subscription was already cancelled. No more mail will be sent.",
    "unsub.until": "Unless you unsubscribe, your details are kept until {until}.",
    "unsub.marketing.title": "Stop marketing email",
    "unsub.marketing.lead":
      "Unsubscribing withdraws your consent to marketing email: no more blog letters or marketing email will be sent. The details of your resource download are not destroyed; they are kept only to provide the resources.",
    "unsub.marketing.confirm": "Stop marketing email",
    "unsub.marketing.done":
      "Your consent to marketing email is withdrawn. The details of your resource download were not destroyed: they are kept only to provide the resources, and destroyed when their retention period ends.",
    "unsub.marketing.already":
      "Your consent to marketing email was already withdrawn. The details of your resource download are kept only to provide the resources.",
    "unsub.marketing.until": "Kept to provide the resources until {until}, then destroyed.",
    "unsub.missing": "This unsubscribe link is not valid. Please open the link in your email again.",
  },
};

/** A `t(language, key, values)` over a table of strings by language: English when a key is missing
 * in the language asked for, the key itself when it is missing in both; `{name}` takes `values.name`. */
export function translator(strings) {
  return (language, key, values = {}) => {
    const text = (strings[language] && strings[language][key]) ?? strings.en[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name) => (name in values ? String(values[name]) : `{${name}}`));
  };
}

export const t = translator(STRINGS);

// The company's name, as the page was rendered with it from the policy's facts (stacks/site_pages.py):
// one `application-name` meta a language, so no copy of the name lives in the scripts.
export function companyName(language) {
  const named =
    document.querySelector(`meta[name="application-name"][lang="${language}"]`) ||
    document.querySelector('meta[name="application-name"]');
  return named ? named.content : "";
}

/** A moment shown in Seoul time, as the policy counts it. */
export function formatMoment(language, iso, { time = true } = {}) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const options = { timeZone: "Asia/Seoul", year: "numeric", month: "long", day: "numeric" };
  if (time) Object.assign(options, { hour: "2-digit", minute: "2-digit", timeZoneName: "short" });
  return new Intl.DateTimeFormat(language === "ko" ? "ko-KR" : "en-GB", options).format(date);
}

export function formatDate(language, isoDate) {
  // A calendar date (YYYY-MM-DD) without a time: shown as that day, whatever the reader's zone.
  const [y, m, d] = String(isoDate).split("-").map(Number);
  if (!y || !m || !d) return String(isoDate);
  const date = new Date(Date.UTC(y, m - 1, d));
  return new Intl.DateTimeFormat(language === "ko" ? "ko-KR" : "en-GB", {
    timeZone: "UTC",
    year: "numeric",
    month: "long",
    day: "numeric",
  }).format(date);
}

// Measures the crew journey (not a test: nothing here passes or fails on time):
// the time from submitting the search to the summary on screen, and the bytes
// transferred per screen, on an unthrottled connection and on a throttled one
// (1.6 Mbit/s each way, 150 ms round trip, set through the Chrome DevTools
// Protocol). Usage: EIR_BASE_URL=… EIR_ADMIN_LOGIN=… EIR_ADMIN_PASSWORD=… node measure.js
'use strict';

const { BASE, ADMIN, launch, api, token, signIn } = require('./lib');

const RUNS = Number(process.env.MEASURE_RUNS || 5);

async function setup() {
  const run = Math.random().toString(36).slice(2, 8);
  const admin = await token(ADMIN.login, ADMIN.password);
  const districts = await api('GET', '/api/v1/districts', { token: admin });
  if (districts.length === 0) {
    await api('PUT', '/api/v1/districts', { token: admin, contentType: 'text/csv', body: 'code,name,population_total,population_65plus\nD01,北見中央,12000,4100\n' });
  }
  const office = await api('POST', '/api/v1/organizations', { token: admin, json: { name: `計測ケア${run}`, kind: 'care_office' } });
  const fire = await api('POST', '/api/v1/organizations', { token: admin, json: { name: `計測消防${run}`, kind: 'fire_department' } });
  const password = 'measure the crew journey 1';
  await api('POST', '/api/v1/users', { token: admin, json: { login: `m-cm-${run}`, password, role: 'care_manager', organization_id: office.id, display_name: 'cm' } });
  await api('POST', '/api/v1/users', { token: admin, json: { login: `m-crew-${run}`, password, role: 'paramedic', organization_id: fire.id, display_name: 'crew' } });
  const cm = await token(`m-cm-${run}`, password);
  const person = await api('POST', '/api/v1/registrants', {
    token: cm,
    json: {
      family_name: '渡辺', given_name: 'キヨ', family_name_kana: 'ワタナベ', given_name_kana: 'キヨ', birth_date: '1936-11-03', sex: 'female',
      address: { line: `北見市常盤町${run}`, district_code: 'D01' }, phones: ['0157-31-0000'], living_situation: 'alone', care_level: 'care_3',
      family_doctors: [{ institution: '常盤内科', doctor: '小林 医師', phone: '0157-31-1111' }],
      emergency_contacts: [{ priority: 1, name: '渡辺 進', relationship: '長男', phones: ['090-3333-4444'] }],
      medical: { conditions: ['慢性腎不全'], medications: ['アムロジピン5mg'], allergies: ['造影剤'], devices_and_procedures: ['dialysis'] },
      consent: { obtained_on: '2026-05-01', by: 'self' },
    },
  });
  await api('POST', `/api/v1/registrants/${person.id}/care-decisions`, {
    token: cm,
    json: {
      kind: 'new', discussed_on: '2026-09-01', participants: { self: true },
      wishes: { cpr: 'not_wanted', intubation: 'not_wanted', hospital_transport: 'wanted', artificial_nutrition: 'not_wanted' },
      preferred_place_of_care: 'home', preferred_place_of_death: 'home', shared_with_family: true,
      physician_instructions: null, advance_directive: { exists: true, location: '仏壇の引き出し' }, own_words: null, review_due: null,
    },
  });
  return { login: `m-crew-${run}`, password };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function journey(browser, user, throttled, i) {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'ja-JP' });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
  if (throttled) {
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 1.6e6 / 8,
    });
  }
  let bytes = 0;
  cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
  await page.goto(BASE + '/login');
  const loginBytes = bytes;
  await signIn(page, user.login, user.password);
  // The search screen, as a crew opens it (the stylesheet and script come from cache after the first).
  bytes = 0;
  await page.goto(BASE + '/crew');
  const searchBytes = bytes;
  await page.getByLabel('事案番号').fill(`M-${Date.now()}-${i}`);
  await page.getByLabel('名前').fill('わたなべ きよ');
  await page.getByLabel('生年月日').fill('S11.11.3');
  bytes = 0;
  const started = performance.now();
  await page.getByRole('button', { name: '検索する' }).click();
  await page.getByText('心肺蘇生を希望しない').waitFor();
  const ms = performance.now() - started;
  const summaryBytes = bytes;
  await context.close();
  return { ms, loginBytes, searchBytes, summaryBytes };
}

(async () => {
  const user = await setup();
  const browser = await launch();
  for (const throttled of [false, true]) {
    const results = [];
    for (let i = 0; i < RUNS; i++) results.push(await journey(browser, user, throttled, i));
    const ms = results.map((r) => r.ms);
    console.log(`${throttled ? 'throttled 1.6 Mbit/s, 150 ms RTT' : 'unthrottled'}: search submitted → summary on screen: `
      + `median ${median(ms).toFixed(0)} ms, min ${Math.min(...ms).toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms over ${RUNS} runs; `
      + `bytes: sign-in screen with stylesheet and script ${results[0].loginBytes}, search screen ${results[0].searchBytes} (first, assets cached from sign-in), summary screen (POST + redirect + page) median ${median(results.map((r) => r.summaryBytes))}`);
  }
  await browser.close();
})().catch((e) => { console.error(e); process.exit(1); });

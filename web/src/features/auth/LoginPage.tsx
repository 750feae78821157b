import {
  ApartmentOutlined,
  AuditOutlined,
  FundProjectionScreenOutlined,
  LockOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { Alert, Button, Card, Flex, Form, Input, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { type ApiError, isApiError } from '@/api/errors';
import { applyApiError } from '@/components/formErrors';
import { useI18n } from '@/i18n';
import { LanguageSwitch } from './LanguageSwitch';
import { formatCountdown, safeNext } from './loginUtils';
import { useLogin } from './hooks';

interface LoginForm {
  username: string;
  password: string;
}

/** Seconds left until `until` (epoch ms), ticking once a second; 0 when there is no lock. */
function useCountdown(until: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!until) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [until]);
  return until ? Math.max(0, Math.ceil((until - now) / 1000)) : 0;
}

function LoginError({ error }: { error: ApiError }) {
  const { t } = useI18n();
  if (error.status === 429) {
    return (
      <Alert
        data-testid="login-error"
        role="alert"
        type="error"
        showIcon
        icon={<LockOutlined />}
        message={t('auth.locked')}
        description={
          <>
            <div>{error.message}</div>
            <div>{t('auth.lockedHint')}</div>
          </>
        }
      />
    );
  }
  return <Alert data-testid="login-error" role="alert" type="error" showIcon message={error.message} />;
}

export default function LoginPage() {
  const { t } = useI18n();
  const [form] = Form.useForm<LoginForm>();
  const login = useLogin();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const expired = params.get('expired') === '1';
  const [lock, setLock] = useState<{ username: string; until: number } | null>(null);
  const username = Form.useWatch('username', form);
  const remaining = useCountdown(lock && lock.username === username ? lock.until : null);

  useEffect(() => {
    document.title = `${t('auth.login')} · ${t('app.fullName')}`;
  }, [t]);

  const onFinish = (values: LoginForm) => {
    login.mutate(values, {
      onSuccess: () => navigate(safeNext(params.get('next')), { replace: true }),
      onError: (error) => {
        applyApiError(form, error);
        if (isApiError(error) && error.status === 429 && error.retryAfter) {
          setLock({ username: values.username, until: Date.now() + error.retryAfter * 1000 });
        }
      },
    });
  };

  const error = login.error;
  const features = [
    { icon: <ApartmentOutlined />, text: t('kind.group') + ' → ' + t('kind.subsidiary') + ' → ' + t('kind.department') + ' → ' + t('kind.team') },
    { icon: <FundProjectionScreenOutlined />, text: t('app.tagline') },
    { icon: <AuditOutlined />, text: t('audit.subtitle') },
  ];

  return (
    <div className="login-page">
      <section className="login-brand">
        <div className="brand-mark">
          <span className="brand-logo">F</span>
          <span>Flotilla</span>
        </div>
        <Typography.Title level={1} className="login-brand-title">
          {t('app.fullName')}
        </Typography.Title>
        <ul className="login-brand-points">
          {features.map((f) => (
            <li key={f.text}>
              {f.icon}
              <span>{f.text}</span>
            </li>
          ))}
        </ul>
      </section>
      <section className="login-main">
        <Flex justify="flex-end" className="login-top">
          <LanguageSwitch size="small" />
        </Flex>
        <Card className="login-card" variant="borderless">
          <div className="login-card-brand">
            <span className="brand-logo">F</span>
            <span>{t('app.fullName')}</span>
          </div>
          <Typography.Title level={3} style={{ marginBottom: 4 }}>
            {t('auth.loginTitle')}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t('auth.loginSubtitle')}</Typography.Paragraph>
          {expired && !error ? (
            <Alert type="warning" showIcon message={t('auth.sessionExpired')} style={{ marginBottom: 16 }} />
          ) : null}
          <Form<LoginForm> form={form} name="login" layout="vertical" size="large" onFinish={onFinish} requiredMark={false}>
            <Form.Item name="username" label={t('auth.username')} rules={[{ required: true, message: t('auth.usernameRequired') }]}>
              <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
            </Form.Item>
            <Form.Item name="password" label={t('auth.password')} rules={[{ required: true, message: t('auth.passwordRequired') }]}>
              <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
            </Form.Item>
            {isApiError(error) ? (
              <div style={{ marginBottom: 16 }}>
                <LoginError error={error} />
              </div>
            ) : null}
            <Button
              type="primary"
              htmlType="submit"
              block
              loading={login.isPending}
              disabled={remaining > 0}
              data-testid="login-submit"
            >
              {remaining > 0 ? t('auth.retryIn', { time: formatCountdown(remaining) }) : t('auth.login')}
            </Button>
          </Form>
        </Card>
        <Typography.Text type="secondary" className="login-footer">
          {t('auth.footer')}
        </Typography.Text>
      </section>
    </div>
  );
}
